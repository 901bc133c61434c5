// Shared pieces of the batch-norm kernels. Layout NCHW: channel c of sample n is the contiguous run
// [(n*C + c)*HW, (n*C + c + 1)*HW). A workgroup owns one channel; lane l visits the channel's
// flattened indices j = l, l + WG_SIZE, ... (j = n*HW + i), always in the same order (BnCursor).
// Needs wg_reduce.glsl included first, and the includer's input binding named x (see bn_batch_stats).
#ifndef BATCHNORM_COMMON_GLSL
#define BATCHNORM_COMMON_GLSL

// Walks this lane's elements of channel c: flattened j = l, l + WG_SIZE, ... (j = n*HW + i) as
// (n, i, NCHW index) without a division per element (only when the step crosses a plane).
struct BnCursor
{
    uint n;
    uint i;
    uint index;
};

BnCursor bn_begin(uint c, uint channels, uint hw)
{
    uint l = gl_LocalInvocationID.x;
    uint n = l / hw;
    uint i = l - n * hw;
    return BnCursor(n, i, (n * channels + c) * hw + i);
}

void bn_next(inout BnCursor k, uint channels, uint hw)
{
    k.i += WG_SIZE;
    k.index += WG_SIZE;
    if (k.i >= hw)
    {
        uint q = k.i / hw;
        k.i -= q * hw;
        k.n += q;
        k.index += q * (channels - 1u) * hw;
    }
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
    for (BnCursor k = bn_begin(c, channels, hw4); k.n < batch; bn_next(k, channels, hw4))
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
    for (BnCursor k = bn_begin(c, channels, hw); k.n < batch; bn_next(k, channels, hw))
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
