#version 450
// Backward of the option-A shortcut: dx[n,ci,h,w] = dy[n, ci + pad_front, h/s, w/s] where h and w
// are multiples of the stride, else 0 (the padded channels' gradient is dropped). NCHW float32.
// Each invocation writes 4 consecutive dx elements (gather, no atomics);
// grid: ceil(N*Cin*H*W / 4 / 64) groups, flattened from 2-D.
layout(local_size_x = 64) in;

layout(binding = 0, r32f) uniform readonly imageBuffer dy;
layout(std430, binding = 1) writeonly buffer DX { float dx[]; };

#include "shortcut_shape.glsl"
#include "ops_grid.glsl"

void main()
{
    uint base = flat_invocation_id() * 4u;
    uint inPlane = p.h * p.w;
    uint count = p.batch * p.cin * inPlane;
    for (uint k = 0; k < 4u && base + k < count; ++k)
    {
        uint i = base + k;
        uint nc = i / inPlane;
        uint r = i - nc * inPlane;
        uint n = nc / p.cin;
        uint ci = nc - n * p.cin;
        uint h = r / p.w;
        uint w = r - h * p.w;
        float g = 0.0;
        if (h % p.stride == 0u && w % p.stride == 0u)
        {
            uint o = ((n * p.cout + ci + p.pad_front) * p.ho + h / p.stride) * p.wo + w / p.stride;
            g = imageLoad(dy, int(o)).x;
        }
        dx[i] = g;
    }
}
