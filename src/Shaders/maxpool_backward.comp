#version 450
// Max pooling backward as a gather (deterministic, no atomics): each input element (n,c,ih,iw) sums,
// in fixed (oh, ow) order, dy of every output window that contains it and whose saved argmax idx
// (from maxpool_forward) is this element. NCHW float32; idx int32 shaped like dy, read as an r32i texel buffer.
// One invocation per input element; grid: ceil(N*C*H*W / 64) groups, flattened from 2-D.
layout(local_size_x = 64) in;

layout(binding = 0, r32f) uniform readonly imageBuffer dy;
layout(binding = 1, r32i) uniform readonly iimageBuffer idx; // texel reads: the gather path on lavapipe
layout(std430, binding = 2) writeonly buffer DX { float dx[]; };

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
    int pad = int(p.pad);
    // Windows containing ih: oh*s - pad <= ih <= oh*s - pad + k - 1.
    int ohLo = max(0, (ih + pad - k + 1 + s - 1) / s);
    int ohHi = min(int(p.ho) - 1, (ih + pad) / s);
    int owLo = max(0, (iw + pad - k + 1 + s - 1) / s);
    int owHi = min(int(p.wo) - 1, (iw + pad) / s);
    uint outBase = plane * p.ho * p.wo;
    float g = 0.0;
    for (int oh = ohLo; oh <= ohHi; ++oh)
        for (int ow = owLo; ow <= owHi; ++ow)
        {
            int o = int(outBase) + oh * int(p.wo) + ow;
            if (imageLoad(idx, o).x == local)
                g += imageLoad(dy, o).x;
        }
    dx[i] = g;
}
