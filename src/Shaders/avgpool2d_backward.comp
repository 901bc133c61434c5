#version 450
// Average pooling backward (AvgPool2dOp) as a gather, no atomics: each input element (n,c,ih,iw) sums, in
// fixed (oh, ow) order, dy of every window that contains it, divided by k*k. Cells that no window covers
// (the rows and columns the floor output size drops) get 0. NCHW float32.
// One invocation per input element; grid: ceil(N*C*H*W / 64) groups, flattened from 2-D.
layout(local_size_x = 64) in;

layout(binding = 0, r32f) uniform readonly imageBuffer dy;
layout(std430, binding = 1) writeonly buffer DX { float dx[]; };

#include "pool_shape.glsl"
#include "ops_grid.glsl"

void main()
{
    uint i = flat_invocation_id();
    uint inPlane = p.h * p.w;
    if (i >= p.planes * inPlane)
        return;
    uint plane = i / inPlane;
    int local = int(i - plane * inPlane);
    int ih = local / int(p.w);
    int iw = local - ih * int(p.w);
    int s = int(p.stride);
    int k = int(p.kernel);
    // Windows containing ih: oh*s <= ih <= oh*s + k - 1.
    int ohLo = max(0, (ih - k + 1 + s - 1) / s);
    int ohHi = min(int(p.ho) - 1, ih / s);
    int owLo = max(0, (iw - k + 1 + s - 1) / s);
    int owHi = min(int(p.wo) - 1, iw / s);
    uint outBase = plane * p.ho * p.wo;
    float g = 0.0;
    for (int oh = ohLo; oh <= ohHi; ++oh)
        for (int ow = owLo; ow <= owHi; ++ow)
            g += imageLoad(dy, int(outBase) + oh * int(p.wo) + ow).x;
    dx[i] = g / float(k * k);
}
