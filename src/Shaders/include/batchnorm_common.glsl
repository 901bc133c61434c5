// Shared pieces of the batch-norm kernels. Layout NCHW: channel c of sample n is the contiguous run
// [(n*C + c)*HW, (n*C + c + 1)*HW). A workgroup owns one channel; lane l visits the channel's
// flattened indices j = l, l + WG_SIZE, ... (j = n*HW + i), always in the same order (BnCursor).
// Needs wg_reduce.glsl included first, and the includer's input binding named x (see bn_batch_stats).
#ifndef BATCHNORM_COMMON_GLSL
#define BATCHNORM_COMMON_GLSL

// Walks this lane's elements of channel c: flattened j = l, l + WG_SIZE, ... (j = n*HW + i) as
// (n, i, NCHW index) without a division per step. A step of WG_SIZE crosses `planes` = WG_SIZE / HW
// whole planes plus `rest` elements, and at most one more plane when i + rest reaches HW: one
// compare and three selects a step, where a per-lane division (scalarized on CPU devices, whose lanes
// cross planes at different steps) cost more than the load it served. The cursor carries the walk's
// constants, set once by bn_begin.
struct BnCursor
{
    uint n;
    uint i;
    uint index;
    uint hw;      // elements (texels in the vec4 kernels) per plane
    uint planes;  // whole planes a step crosses: WG_SIZE / hw
    uint rest;    // and the elements past them: WG_SIZE % hw
    uint advance; // index step for planes and rest: planes * channels * hw + rest
    uint cross;   // and for one plane more: (channels - 1) * hw
};

BnCursor bn_begin(uint c, uint channels, uint hw)
{
    uint l = gl_LocalInvocationID.x;
    uint n = l / hw;
    uint i = l - n * hw;
    uint planes = uint(WG_SIZE) / hw;
    uint rest = uint(WG_SIZE) - planes * hw;
    return BnCursor(n, i, (n * channels + c) * hw + i, hw, planes, rest, planes * channels * hw + rest, (channels - 1u) * hw);
}

void bn_next(inout BnCursor k)
{
    k.i += k.rest;
    k.n += k.planes;
    k.index += k.advance;
    bool wrap = k.i >= k.hw;
    k.i -= wrap ? k.hw : 0u;
    k.n += wrap ? 1u : 0u;
    k.index += wrap ? k.cross : 0u;
}

// Batch mean and biased variance of channel c in one pass over shifted values d = x - x0, where x0
// is the channel's first element: var = E[d^2] - E[d]^2 then cancels little even when |mean| >> std.
// Scalar kernels read the includer's r32f image buffer x; BN_VEC4 kernels (H*W a multiple of 4) read
// its rgba32f samplerBuffer x one texel (4 elements of one plane) per step, with hw counted in texels.
#ifdef BN_VEC4
vec2 bn_batch_stats(uint c, uint batch, uint channels, uint hw4)
{
    float x0 = texelFetch(x, int(c * hw4)).x;
    vec2 acc = vec2(0.0); // (sum d, sum d^2)
    for (BnCursor k = bn_begin(c, channels, hw4); k.n < batch; bn_next(k))
    {
        vec4 d = texelFetch(x, int(k.index)) - x0;
        acc += vec2(d.x + d.y + d.z + d.w, dot(d, d));
    }
    vec2 s = wg_reduce_sum2(acc) / float(batch * hw4 * 4u);
    return vec2(x0 + s.x, max(s.y - s.x * s.x, 0.0));
}
#else
vec2 bn_batch_stats(uint c, uint batch, uint channels, uint hw)
{
    float x0 = imageLoad(x, int(c * hw)).x;
    vec2 acc = vec2(0.0); // (sum d, sum d^2)
    for (BnCursor k = bn_begin(c, channels, hw); k.n < batch; bn_next(k))
    {
        float d = imageLoad(x, int(k.index)).x - x0;
        acc += vec2(d, d * d);
    }
    vec2 s = wg_reduce_sum2(acc) / float(batch * hw);
    return vec2(x0 + s.x, max(s.y - s.x * s.x, 0.0));
}
#endif

// PyTorch running-statistics update: running = (1 - momentum) * running + momentum * batch, with the
// unbiased (m / (m - 1)) variance; a single-element batch keeps the biased one instead of dividing by 0.
void bn_running_update(inout float running_mean, inout float running_var, vec2 stats, uint m, float momentum)
{
    float unbiased = m > 1u ? stats.y * (float(m) / float(m - 1u)) : stats.y;
    running_mean = (1.0 - momentum) * running_mean + momentum * stats.x;
    running_var = (1.0 - momentum) * running_var + momentum * unbiased;
}

#endif
