#version 450
// Max pooling forward, square kernel k, stride s, zero-free padding p (padded cells never win):
// y[n,c,oh,ow] = max over the window, and idx = ih*W + iw of the first maximum in row-major window
// order (PyTorch's tie rule), which maxpool_backward gathers from. NCHW float32, idx int32 like y.
// One invocation per output element; grid: ceil(N*C*Ho*Wo / 64) groups, flattened from 2-D.
layout(local_size_x = 64) in;

layout(binding = 0, r32f) uniform readonly imageBuffer x;
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(std430, binding = 2) writeonly buffer Idx { int idx[]; };

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
    int oh = int(r / p.wo);
    int ow = int(r - uint(oh) * p.wo);
    int h0 = oh * int(p.stride) - int(p.pad);
    int w0 = ow * int(p.stride) - int(p.pad);
    uint base = plane * p.h * p.w;
    float best = uintBitsToFloat(0xff800000u); // -inf
    int bestIdx = -1;
    for (int kh = 0; kh < int(p.kernel); ++kh)
    {
        int ih = h0 + kh;
        if (ih < 0 || ih >= int(p.h))
            continue;
        for (int kw = 0; kw < int(p.kernel); ++kw)
        {
            int iw = w0 + kw;
            if (iw < 0 || iw >= int(p.w))
                continue;
            int i = ih * int(p.w) + iw;
            float v = imageLoad(x, int(base) + i).x;
            if (v > best || bestIdx < 0 || isnan(v))
            {
                best = v;
                bestIdx = i;
            }
        }
    }
    y[o] = best;
    idx[o] = bestIdx;
}
