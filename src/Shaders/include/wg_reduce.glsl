// Deterministic workgroup sums: every lane writes its partial, then a fixed binary tree over
// shared memory (no float atomics, no subgroup ops whose order the driver picks). Define WG_SIZE
// (a power of two, the workgroup's x size) before including. Call from uniform control flow.
#ifndef WG_REDUCE_GLSL
#define WG_REDUCE_GLSL

shared vec2 wg_reduce_buf[WG_SIZE];

vec2 wg_reduce_sum2(vec2 v)
{
    uint lid = gl_LocalInvocationID.x;
    wg_reduce_buf[lid] = v;
    barrier();
    for (uint s = WG_SIZE / 2; s > 0; s >>= 1)
    {
        if (lid < s)
            wg_reduce_buf[lid] += wg_reduce_buf[lid + s];
        barrier();
    }
    vec2 r = wg_reduce_buf[0];
    barrier(); // the buffer is reused by the next call
    return r;
}

float wg_reduce_sum(float v)
{
    return wg_reduce_sum2(vec2(v, 0.0)).x;
}

#endif
