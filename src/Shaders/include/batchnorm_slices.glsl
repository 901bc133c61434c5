// Training batch norm split over workgroups: grid (C, slices), workgroup (c, s) owns images [s*images, (s+1)*images)
// of channel c (the last slice fewer). Each of the four passes (BN_PASS) walks only its slice, 64 lanes abreast with
// BnCursor, so a channel's N*H*W elements are read by `slices` workgroups at once instead of one, and a workgroup's
// data stays in its core's cache between the two walks the one-workgroup kernels make:
//   BN_STATS           partial[c*slices + s] = (sum d, sum d^2) over the slice, d = x - x[c's first element]
//   BN_APPLY           the slices' partials summed in slice order, then y = x * scale + shift (or, with BN_ADD_RELU,
//                      relu(that + residual)); slice 0 saves mean and invstd and updates the running statistics
//   BN_BACKWARD_STATS  partial = (sum g, sum g * xhat), g = dy (with BN_ADD_RELU: dy masked by y > 0, also written
//                      to dresidual, which BN_BACKWARD_APPLY then reads as its dy)
//   BN_BACKWARD_APPLY  dx = gamma * invstd / M * (M g - sum g - xhat sum g xhat); slice 0 writes dbeta and dgamma
// The same formulas as the one-workgroup kernels (batchnorm_forward_train*.comp, batchnorm_backward*.comp), summed in
// another fixed order: the same bits every run. With BN_VEC4 (H*W a multiple of 4) a lane step moves one rgba32f
// texel, four elements of one plane. The includer defines BN_PASS (and BN_VEC4, BN_ADD_RELU) first.
#define BN_STATS 1
#define BN_APPLY 2
#define BN_BACKWARD_STATS 3
#define BN_BACKWARD_APPLY 4

#define WG_SIZE 64
layout(local_size_x = WG_SIZE) in;

#ifdef BN_VEC4
#define BN_T vec4
#define BN_PER 4u
#define BN_INPUT(b, name) layout(binding = b) uniform samplerBuffer name
#define BN_LOAD(name, t) texelFetch(name, int(t))
#define bn_sum(v) ((v).x + (v).y + (v).z + (v).w)
#define bn_mask(g, yv) mix(vec4(0.0), g, greaterThan(yv, vec4(0.0)))
#else
#define BN_T float
#define BN_PER 1u
#define BN_INPUT(b, name) layout(binding = b, r32f) uniform readonly imageBuffer name
#define BN_LOAD(name, t) imageLoad(name, int(t)).x
#define bn_sum(v) (v)
#define bn_mask(g, yv) ((yv) > 0.0 ? (g) : 0.0)
#endif
#define bn_dot(a, b) dot(a, b)

layout(push_constant) uniform Push
{
    uint batch;
    uint channels;
    uint hw;       // elements per plane (a multiple of 4 with BN_VEC4)
    uint images;   // images per slice
    uint slices;   // the grid's y
    float eps;
    float momentum;
} p;

#if BN_PASS == BN_STATS
BN_INPUT(0, x);
layout(std430, binding = 1) writeonly buffer Partials { vec2 partial[]; };
#elif BN_PASS == BN_APPLY
BN_INPUT(0, x);
layout(std430, binding = 1) readonly buffer Gamma { float gamma[]; };
layout(std430, binding = 2) readonly buffer Beta { float beta[]; };
layout(std430, binding = 3) readonly buffer Partials { vec2 partial[]; };
layout(std430, binding = 4) writeonly buffer Y { BN_T y[]; };
layout(std430, binding = 5) writeonly buffer SavedMean { float saved_mean[]; };
layout(std430, binding = 6) writeonly buffer SavedInvStd { float saved_invstd[]; };
layout(std430, binding = 7) buffer RunningMean { float running_mean[]; };
layout(std430, binding = 8) buffer RunningVar { float running_var[]; };
#ifdef BN_ADD_RELU
BN_INPUT(9, residual);
#endif
#elif BN_PASS == BN_BACKWARD_STATS
BN_INPUT(0, dy);
BN_INPUT(1, x);
layout(std430, binding = 2) readonly buffer SavedMean { float saved_mean[]; };
layout(std430, binding = 3) readonly buffer SavedInvStd { float saved_invstd[]; };
layout(std430, binding = 4) writeonly buffer Partials { vec2 partial[]; };
#ifdef BN_ADD_RELU
BN_INPUT(5, y);
layout(std430, binding = 6) writeonly buffer DResidual { BN_T dresidual[]; };
#endif
#elif BN_PASS == BN_BACKWARD_APPLY
BN_INPUT(0, dy);
BN_INPUT(1, x);
layout(std430, binding = 2) readonly buffer Gamma { float gamma[]; };
layout(std430, binding = 3) readonly buffer SavedMean { float saved_mean[]; };
layout(std430, binding = 4) readonly buffer SavedInvStd { float saved_invstd[]; };
layout(std430, binding = 5) readonly buffer Partials { vec2 partial[]; };
layout(std430, binding = 6) writeonly buffer DX { BN_T dx[]; };
layout(std430, binding = 7) writeonly buffer DGamma { float dgamma[]; };
layout(std430, binding = 8) writeonly buffer DBeta { float dbeta[]; };
#else
#error "define BN_PASS"
#endif

#if BN_PASS == BN_STATS || BN_PASS == BN_BACKWARD_STATS
#include "wg_reduce.glsl"
#endif
#include "batchnorm_common.glsl"

#if BN_PASS == BN_APPLY || BN_PASS == BN_BACKWARD_APPLY
// The slices' partial sums of channel c, added in slice order (every lane alike).
vec2 bn_slices_total(uint c)
{
    vec2 t = vec2(0.0);
    for (uint q = 0u; q < p.slices; q++) t += partial[c * p.slices + q];
    return t;
}
#endif

#if BN_PASS == BN_STATS || BN_PASS == BN_APPLY
// The shift of the forward sums: the channel's first element (image 0, element 0), the same for every slice.
float bn_shift(uint c)
{
#ifdef BN_VEC4
    return texelFetch(x, int(c * (p.hw / 4u))).x;
#else
    return imageLoad(x, int(c * p.hw)).x;
#endif
}
#endif

void main()
{
    const uint c = gl_WorkGroupID.x, s = gl_WorkGroupID.y;
    const uint hwT = p.hw / BN_PER;
    const uint n0 = s * p.images, n1 = min(p.batch, n0 + p.images);
    const bool first = s == 0u && gl_LocalInvocationID.x == 0u;
    const float m = float(p.batch * p.hw);
#if BN_PASS == BN_STATS
    const float x0 = bn_shift(c);
    vec2 acc = vec2(0.0); // (sum d, sum d^2)
    for (BnCursor k = bn_walk(c, p.channels, hwT, n0, n1); k.left > 0u; bn_next(k))
    {
        BN_T d = BN_LOAD(x, k.index) - x0;
        acc += vec2(bn_sum(d), bn_dot(d, d));
    }
    vec2 t = wg_reduce_sum2(acc);
    if (gl_LocalInvocationID.x == 0u) partial[c * p.slices + s] = t;
#elif BN_PASS == BN_APPLY
    const float x0 = bn_shift(c);
    vec2 sm = bn_slices_total(c) / m;
    vec2 stats = vec2(x0 + sm.x, max(sm.y - sm.x * sm.x, 0.0));
    float invstd = inversesqrt(stats.y + p.eps);
    float scale = gamma[c] * invstd;
    float shift = beta[c] - stats.x * scale;
    for (BnCursor k = bn_walk(c, p.channels, hwT, n0, n1); k.left > 0u; bn_next(k))
    {
#ifdef BN_ADD_RELU
        y[k.index] = max(BN_LOAD(x, k.index) * scale + shift + BN_LOAD(residual, k.index), BN_T(0.0));
#else
        y[k.index] = BN_LOAD(x, k.index) * scale + shift;
#endif
    }
    if (first)
    {
        saved_mean[c] = stats.x;
        saved_invstd[c] = invstd;
        float rm = running_mean[c];
        float rv = running_var[c];
        bn_running_update(rm, rv, stats, p.batch * p.hw, p.momentum);
        running_mean[c] = rm;
        running_var[c] = rv;
    }
#elif BN_PASS == BN_BACKWARD_STATS
    const float mean = saved_mean[c], invstd = saved_invstd[c];
    vec2 acc = vec2(0.0); // (sum g, sum g * xhat)
    for (BnCursor k = bn_walk(c, p.channels, hwT, n0, n1); k.left > 0u; bn_next(k))
    {
        BN_T g = BN_LOAD(dy, k.index);
#ifdef BN_ADD_RELU
        g = bn_mask(g, BN_LOAD(y, k.index));
        dresidual[k.index] = g;
#endif
        BN_T xhat = (BN_LOAD(x, k.index) - mean) * invstd;
        acc += vec2(bn_sum(g), bn_dot(g, xhat));
    }
    vec2 t = wg_reduce_sum2(acc);
    if (gl_LocalInvocationID.x == 0u) partial[c * p.slices + s] = t;
#elif BN_PASS == BN_BACKWARD_APPLY
    const float mean = saved_mean[c], invstd = saved_invstd[c];
    vec2 sums = bn_slices_total(c);
    float coef = gamma[c] * invstd / m;
    for (BnCursor k = bn_walk(c, p.channels, hwT, n0, n1); k.left > 0u; bn_next(k))
    {
        BN_T xhat = (BN_LOAD(x, k.index) - mean) * invstd;
        dx[k.index] = coef * (m * BN_LOAD(dy, k.index) - sums.x - xhat * sums.y);
    }
    if (first)
    {
        dbeta[c] = sums.x;
        dgamma[c] = sums.y;
    }
#endif
}
