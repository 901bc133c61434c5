#version 450
// y[i] = epilogue(sum_{s < slices} partial[s * count + i]), s in increasing order: the deterministic second pass of the
// split-K forward (conv2d_forward_gpu), then +bias[co], +residual[i], ReLU and += into y as the flags say, in the order
// the forward applies them. NCHW float32; count = N*Cout*OH*OW, co = (i / (OH*OW)) % Cout; splitK holds the slice count.
// One invocation per element; the slices of element i are count apart, so neighbouring invocations read neighbouring addresses.
// Dispatch: (ceil(count / 256), 1, 1).
#include "conv2d_params.glsl"
layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Partial { float partial[]; };
layout(std430, binding = 1) readonly buffer Bias { float bias[]; };
layout(std430, binding = 2) readonly buffer Res { float residual[]; };
layout(std430, binding = 3) buffer Y { float y[]; };

void main()
{
    const int hw = p.OH * p.OW;
    const int count = p.N * p.Cout * hw;
    const int i = int(gl_GlobalInvocationID.x);
    if (i >= count) return;
    float v = 0.0;
    for (int z = 0; z < p.splitK; z++) v += partial[z * count + i];
    if ((p.flags & CONV_BIAS) != 0u) v += bias[(i / hw) % p.Cout];
    if ((p.flags & CONV_RESIDUAL) != 0u) v += residual[i];
    if ((p.flags & CONV_RELU) != 0u) v = max(v, 0.0);
    if ((p.flags & CONV_ACCUMULATE) != 0u) v += y[i];
    y[i] = v;
}
