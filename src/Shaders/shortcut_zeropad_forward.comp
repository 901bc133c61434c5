#version 450
// Option-A shortcut of He et al. (CIFAR ResNets): spatial subsampling by stride (every s-th pixel)
// and zero channels padded around the input, pad_front before and Cout - Cin - pad_front after:
// y[n,co,oh,ow] = x[n, co - pad_front, oh*s, ow*s] or 0. NCHW float32. Each invocation writes 4
// consecutive y elements (the first's coordinates, stepped along the row); grid: ceil(N*Cout*Ho*Wo / 4 / 64) groups.
layout(local_size_x = 64) in;

layout(binding = 0, r32f) uniform readonly imageBuffer x;
layout(std430, binding = 1) writeonly buffer Y { float y[]; };

#include "shortcut_shape.glsl"
#include "ops_grid.glsl"

void main()
{
    uint base = flat_invocation_id() * 4u;
    uint outPlane = p.ho * p.wo;
    uint count = p.batch * p.cout * outPlane;
    if (base >= count)
        return;
    // Coordinates of the first element, then stepped along the row: three divisions an invocation, not
    // three an element (a CPU device scalarizes each, lane by lane).
    uint nc = base / outPlane;
    uint r = base - nc * outPlane;
    uint n = nc / p.cout;
    uint co = nc - n * p.cout;
    uint oh = r / p.wo;
    uint ow = r - oh * p.wo;
    for (uint k = 0; k < 4u && base + k < count; ++k)
    {
        int ci = int(co) - int(p.pad_front);
        float v = 0.0;
        if (ci >= 0 && ci < int(p.cin))
            v = imageLoad(x, int(((n * p.cin + uint(ci)) * p.h + oh * p.stride) * p.w + ow * p.stride)).x;
        y[base + k] = v;
        if (++ow == p.wo)
        {
            ow = 0u;
            if (++oh == p.ho)
            {
                oh = 0u;
                if (++co == p.cout)
                {
                    co = 0u;
                    ++n;
                }
            }
        }
    }
}
