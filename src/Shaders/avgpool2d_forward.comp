#version 450
// Average pooling forward (AvgPool2dOp), square kernel k, stride s, no padding, floor output size
// (PyTorch's AvgPool2d(k, s), ceil_mode = false): y[n,c,oh,ow] = mean of x over the k*k window at (oh*s, ow*s).
// NCHW float32. One invocation per output element; grid: ceil(N*C*Ho*Wo / 64) groups, flattened from 2-D.
layout(local_size_x = 64) in;

layout(binding = 0, r32f) uniform readonly imageBuffer x;
layout(std430, binding = 1) writeonly buffer Y { float y[]; };

#include "pool_shape.glsl"
#include "ops_grid.glsl"

void main()
{
    uint o = flat_invocation_id();
    uint outPlane = p.ho * p.wo;
    if (o >= p.planes * outPlane)
        return;
    uint plane = o / outPlane;
    uint r = o - plane * outPlane;
    uint oh = r / p.wo;
    uint ow = r - oh * p.wo;
    uint base = plane * p.h * p.w + oh * p.stride * p.w + ow * p.stride;
    float sum = 0.0;
    for (uint i = 0u; i < p.kernel; ++i)
        for (uint j = 0u; j < p.kernel; ++j)
            sum += imageLoad(x, int(base + i * p.w + j)).x;
    y[o] = sum / float(p.kernel * p.kernel);
}
