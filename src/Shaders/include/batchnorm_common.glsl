// Shared pieces of the batch-norm kernels. Layout NCHW: channel c of sample n is the contiguous run
// [(n*C + c)*HW, (n*C + c + 1)*HW). A workgroup owns one channel, or one slice of its images (batchnorm_slices.glsl);
// its lanes visit the elements in a fixed order (bn_walk).
// bn_batch_stats needs wg_reduce.glsl included first and the includer's input binding named x.
#ifndef BATCHNORM_COMMON_GLSL
#define BATCHNORM_COMMON_GLSL

// Lanes that walk one contiguous run of a channel together, BN_GROUP elements (texels in the vec4 kernels) a step.
#define BN_GROUP 8u

// Walks this lane's elements of channel c in images [n0, n1): the run's (n1 - n0) * HW elements (j = n*HW + i) are cut
// into WG_SIZE / BN_GROUP contiguous pieces, each a multiple of BN_GROUP long, one a group of BN_GROUP lanes, which step
// through it side by side; always in the same order. Why not the 64 lanes abreast: a CPU device runs a workgroup one
// SIMD vector of lanes after another, so each vector would touch every eighth piece of the whole run, 1 KiB apart
// (vec4), and the next vector come back for the pieces in between; measured on llvmpipe, the stores of the training
// forward on 128x16x28x28 cost 2.4 of its 3.5 ms that way. A GPU subgroup still reads BN_GROUP neighbours at a time.
// A step of BN_GROUP crosses `planes` = BN_GROUP / HW whole planes plus `rest` elements, and at most one more plane
// when i + rest reaches HW: one compare and three selects a step, no division. `left` counts the steps to go.
struct BnCursor
{
    uint i;
    uint index;
    uint left;    // steps this lane has still to take
    uint hw;      // elements (texels in the vec4 kernels) per plane
    uint rest;    // elements a step moves past whole planes: BN_GROUP % hw
    uint advance; // index step for the whole planes and rest: (BN_GROUP / hw) * channels * hw + rest
    uint cross;   // and for one plane more: (channels - 1) * hw
};

BnCursor bn_walk(uint c, uint channels, uint hw, uint n0, uint n1)
{
    const uint lid = gl_LocalInvocationID.x, pieces = uint(WG_SIZE) / BN_GROUP;
    uint first = n0 * hw, len = (n1 - n0) * hw;
    uint piece = (len + pieces * BN_GROUP - 1u) / (pieces * BN_GROUP) * BN_GROUP;
    uint g = lid / BN_GROUP;
    uint j = first + g * piece + lid % BN_GROUP;
    uint end = min(first + (g + 1u) * piece, first + len);
    uint n = j / hw;
    uint i = j - n * hw;
    uint planes = BN_GROUP / hw;
    uint rest = BN_GROUP - planes * hw;
    return BnCursor(i, (n * channels + c) * hw + i, j < end ? (end - j + BN_GROUP - 1u) / BN_GROUP : 0u,
                    hw, rest, planes * channels * hw + rest, (channels - 1u) * hw);
}

void bn_next(inout BnCursor k)
{
    k.i += k.rest;
    k.index += k.advance;
    bool wrap = k.i >= k.hw;
    k.i -= wrap ? k.hw : 0u;
    k.index += wrap ? k.cross : 0u;
    k.left--;
}

// Batch mean and biased variance of channel c in one pass over shifted values d = x - x0, where x0
// is the channel's first element: var = E[d^2] - E[d]^2 then cancels little even when |mean| >> std.
// Scalar kernels read the includer's r32f image buffer x; BN_VEC4 kernels (H*W a multiple of 4) read
// its rgba32f samplerBuffer x one texel (4 elements of one plane) per step, with hw counted in texels.
// Defined where wg_reduce.glsl is included (the split kernels' apply passes reduce nothing).
#ifdef WG_REDUCE_GLSL
#ifdef BN_VEC4
vec2 bn_batch_stats(uint c, uint batch, uint channels, uint hw4)
{
    float x0 = texelFetch(x, int(c * hw4)).x;
    vec2 acc = vec2(0.0); // (sum d, sum d^2)
    for (BnCursor k = bn_walk(c, channels, hw4, 0u, batch); k.left > 0u; bn_next(k))
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
    for (BnCursor k = bn_walk(c, channels, hw, 0u, batch); k.left > 0u; bn_next(k))
    {
        float d = imageLoad(x, int(k.index)).x - x0;
        acc += vec2(d, d * d);
    }
    vec2 s = wg_reduce_sum2(acc) / float(batch * hw);
    return vec2(x0 + s.x, max(s.y - s.x * s.x, 0.0));
}
#endif
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
