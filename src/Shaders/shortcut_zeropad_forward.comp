#version 450
// Option-A shortcut of He et al. (CIFAR ResNets): spatial subsampling by stride (every s-th pixel)
// and zero channels padded around the input, pad_front before and Cout - Cin - pad_front after:
// y[n,co,oh,ow] = x[n, co - pad_front, oh*s, ow*s] or 0. NCHW float32. Each invocation writes 4
// consecutive y elements (each derives its own coordinates); grid: ceil(N*Cout*Ho*Wo / 4 / 64) groups.
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
    for (uint k = 0; k < 4u && base + k < count; ++k)
    {
        uint o = base + k;
        uint nc = o / outPlane;
        uint r = o - nc * outPlane;
        uint n = nc / p.cout;
        int ci = int(nc - n * p.cout) - int(p.pad_front);
        float v = 0.0;
        if (ci >= 0 && ci < int(p.cin))
        {
            uint oh = r / p.wo;
            uint ow = r - oh * p.wo;
            uint i = ((n * p.cin + uint(ci)) * p.h + oh * p.stride) * p.w + ow * p.stride;
            v = imageLoad(x, int(i)).x;
        }
        y[o] = v;
    }
}
