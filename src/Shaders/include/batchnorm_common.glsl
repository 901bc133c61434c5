// Shared pieces of the batch-norm kernels. Layout NCHW: channel c of sample n is the contiguous run
// [(n*C + c)*HW, (n*C + c + 1)*HW). A workgroup owns one channel; lane l visits the channel's
// flattened indices j = l, l + WG_SIZE, ... (j = n*HW + i), always in the same order.
// Needs wg_reduce.glsl included first, and the includer's r32f image buffer named x (the BN input).
#ifndef BATCHNORM_COMMON_GLSL
#define BATCHNORM_COMMON_GLSL

uint bn_index(uint j, uint c, uint channels, uint hw)
{
    uint n = j / hw;
    return (n * channels + c) * hw + (j - n * hw);
}

// Batch mean and biased variance of channel c, two passes (mean, then centred squares) so the
// variance does not cancel catastrophically when |mean| >> std.
vec2 bn_batch_stats(uint c, uint batch, uint channels, uint hw)
{
    uint m = batch * hw;
    float s = 0.0;
    for (uint j = gl_LocalInvocationID.x; j < m; j += WG_SIZE)
        s += imageLoad(x, int(bn_index(j, c, channels, hw))).x;
    float mean = wg_reduce_sum(s) / float(m);
    float q = 0.0;
    for (uint j = gl_LocalInvocationID.x; j < m; j += WG_SIZE)
    {
        float d = imageLoad(x, int(bn_index(j, c, channels, hw))).x - mean;
        q += d * d;
    }
    float var = wg_reduce_sum(q) / float(m);
    return vec2(mean, var);
}

// PyTorch running-statistics update: running = (1 - momentum) * running + momentum * batch, with the
// unbiased (m / (m - 1)) variance; a single-element batch keeps the biased one instead of dividing by 0.
void bn_running_update(inout float running_mean, inout float running_var, vec2 stats, uint m, float momentum)
{
    float unbiased = m > 1u ? stats.y * (float(m) / float(m - 1u)) : stats.y;
    running_mean = (1.0 - momentum) * running_mean + momentum * stats.x;
    running_var = (1.0 - momentum) * running_var + momentum * unbiased;
}

#endif
