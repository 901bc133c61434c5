#version 450
// out[i] = sum_{s < slices} partial[s * count + i] (+ out[i] with flag bit 3), s in increasing order:
// the deterministic second pass of split-K reductions (conv2d_backward_weight_gpu).
// One invocation per element; the slices of element i are count apart, so neighbouring invocations read
// neighbouring addresses. Dispatch: (ceil(count / 256), 1, 1).
layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Partial { float partial[]; };
layout(std430, binding = 1) buffer Out { float outv[]; };

layout(push_constant) uniform SplitKParams { int count, slices; uint flags; } p;

void main()
{
    const int i = int(gl_GlobalInvocationID.x);
    if (i >= p.count) return;
    float s = (p.flags & 8u) != 0u ? outv[i] : 0.0;
    for (int z = 0; z < p.slices; z++) s += partial[z * p.count + i];
    outv[i] = s;
}
