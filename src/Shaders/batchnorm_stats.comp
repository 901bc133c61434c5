#version 450
// SyncBatchNorm, forward statistics pass: for channel c, the sums over this replica's N*H*W elements of
// d = x - k and d^2 with k = shift[c], into stats[2c] and stats[2c + 1]. The shift is the running mean: the
// same on every rank (broadcast at start, updated from the same reduced sums), so the ranks' sums add up and
// the host all-reduces them; it keeps E[d^2] - E[d]^2 from cancelling once the running mean is near the batch
// mean. batchnorm_apply.comp normalises with the reduced sums. Layout NCHW float32. One workgroup per
// channel (grid = C), fixed-order strided sums and a shared-memory tree: deterministic.
#define WG_SIZE 64
layout(local_size_x = WG_SIZE) in;

layout(binding = 0, r32f) uniform readonly imageBuffer x;
layout(std430, binding = 1) readonly buffer Shift { float shift[]; };
layout(std430, binding = 2) writeonly buffer Stats { float stats[]; };

layout(push_constant) uniform Push
{
    uint batch;
    uint channels;
    uint hw;
} p;

#include "wg_reduce.glsl"
#include "batchnorm_common.glsl"

void main()
{
    uint c = gl_WorkGroupID.x;
    float k = shift[c];
    vec2 acc = vec2(0.0); // (sum d, sum d^2)
    for (BnCursor q = bn_walk(c, p.channels, p.hw, 0u, p.batch); q.left > 0u; bn_next(q))
    {
        float d = imageLoad(x, int(q.index)).x - k;
        acc += vec2(d, d * d);
    }
    vec2 s = wg_reduce_sum2(acc);
    if (gl_LocalInvocationID.x == 0)
    {
        stats[2u * c] = s.x;
        stats[2u * c + 1u] = s.y;
    }
}
