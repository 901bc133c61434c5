#version 450
// SyncBatchNorm, backward apply pass: dx = gamma * invstd / M * (M * dy - S_dy - xhat * S_dyxhat), with
// xhat = (x - mean) * invstd from the saved statistics, S_dy = sums[2c] and S_dyxhat = sums[2c + 1] the sums of
// batchnorm_backward_stats.comp over every rank and M = count, N*H*W of all ranks together (one rank alone: M = N*H*W
// and this is batchnorm_backward.comp's dx). Layout NCHW float32, one workgroup per channel (grid = C).
#define WG_SIZE 64
layout(local_size_x = WG_SIZE) in;

layout(binding = 0, r32f) uniform readonly imageBuffer dy;
layout(binding = 1, r32f) uniform readonly imageBuffer x;
layout(std430, binding = 2) readonly buffer Gamma { float gamma[]; };
layout(std430, binding = 3) readonly buffer SavedMean { float saved_mean[]; };
layout(std430, binding = 4) readonly buffer SavedInvStd { float saved_invstd[]; };
layout(std430, binding = 5) readonly buffer Sums { float sums[]; };
layout(std430, binding = 6) writeonly buffer DX { float dx[]; };

layout(push_constant) uniform Push
{
    uint batch;
    uint channels;
    uint hw;
    uint count;
} p;

#include "wg_reduce.glsl"
#include "batchnorm_common.glsl"

void main()
{
    uint c = gl_WorkGroupID.x;
    float mean = saved_mean[c];
    float invstd = saved_invstd[c];
    float m = float(p.count);
    float sdy = sums[2u * c];
    float sdyxhat = sums[2u * c + 1u];
    float coef = gamma[c] * invstd / m;
    for (BnCursor k = bn_walk(c, p.channels, p.hw, 0u, p.batch); k.left > 0u; bn_next(k))
    {
        uint i = k.index;
        float g = imageLoad(dy, int(i)).x;
        float xhat = (imageLoad(x, int(i)).x - mean) * invstd;
        dx[i] = coef * (m * g - sdy - xhat * sdyxhat);
    }
}
