#version 450
// Backward of the option-A shortcut: dx[n,ci,h,w] = dy[n, ci + pad_front, h/s, w/s] where h and w
// are multiples of the stride, else 0 (the padded channels' gradient is dropped). NCHW float32.
// Each invocation writes 4 consecutive dx elements (gather, no atomics; the first's coordinates, stepped);
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
    if (base >= count)
        return;
    // Coordinates of the first element (h = hq*s + hr, w = wq*s + wr), then stepped along the row: five
    // divisions an invocation, not seven an element (a CPU device scalarizes each, lane by lane).
    uint nc = base / inPlane;
    uint r = base - nc * inPlane;
    uint n = nc / p.cin;
    uint ci = nc - n * p.cin;
    uint h = r / p.w;
    uint w = r - h * p.w;
    uint hq = h / p.stride;
    uint hr = h - hq * p.stride;
    uint wq = w / p.stride;
    uint wr = w - wq * p.stride;
    for (uint k = 0; k < 4u && base + k < count; ++k)
    {
        float g = 0.0;
        if (hr == 0u && wr == 0u)
            g = imageLoad(dy, int(((n * p.cout + ci + p.pad_front) * p.ho + hq) * p.wo + wq)).x;
        dx[base + k] = g;
        if (++wr == p.stride)
        {
            wr = 0u;
            ++wq;
        }
        if (++w == p.w)
        {
            w = wq = wr = 0u;
            if (++hr == p.stride)
            {
                hr = 0u;
                ++hq;
            }
            if (++h == p.h)
            {
                h = hq = hr = 0u;
                if (++ci == p.cin)
                {
                    ci = 0u;
                    ++n;
                }
            }
        }
    }
}
