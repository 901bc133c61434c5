#version 450
// Max pooling forward, square kernel k, stride s, zero-free padding p (padded cells never win):
// y[n,c,oh,ow] = max over the window, and idx = ih*W + iw of the first maximum in row-major window
// order (PyTorch's tie rule), which maxpool_backward gathers from. NCHW float32, idx int32 like y.
// Each invocation writes 4 consecutive outputs: the first's coordinates, the others stepped along the row (two
// divisions an invocation, not two an output: a CPU device scalarizes them, lane by lane);
// grid: ceil(N*C*Ho*Wo / 4 / 64) groups, flattened from 2-D.
layout(local_size_x = 64) in;

layout(binding = 0, r32f) uniform readonly imageBuffer x;
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(std430, binding = 2) writeonly buffer Idx { int idx[]; };

#include "pool_shape.glsl"
#include "ops_grid.glsl"

void main()
{
    uint base = flat_invocation_id() * 4u;
    uint outPlane = p.ho * p.wo;
    uint count = p.planes * outPlane;
    if (base >= count)
        return;
    uint plane = base / outPlane;
    uint r = base - plane * outPlane;
    uint oh = r / p.wo;
    uint ow = r - oh * p.wo;
    for (uint k = 0; k < 4u && base + k < count; ++k)
    {
        int h0 = int(oh * p.stride) - int(p.pad);
        int w0 = int(ow * p.stride) - int(p.pad);
        int planeBase = int(plane * p.h * p.w);
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
                float v = imageLoad(x, planeBase + i).x;
                if (v > best || bestIdx < 0 || isnan(v))
                {
                    best = v;
                    bestIdx = i;
                }
            }
        }
        y[base + k] = best;
        idx[base + k] = bestIdx;
        if (++ow == p.wo)
        {
            ow = 0u;
            if (++oh == p.ho)
            {
                oh = 0u;
                ++plane;
            }
        }
    }
}
