#version 450
// Softmax cross-entropy forward: per sample loss = logsumexp(z) - sum_k t_k z_k (stable log-sum-exp,
// label-smoothed targets t), written as out[0] = mean loss over the batch and out[1] = number of
// samples whose first argmax equals the label (a float, exact below 2^24). logits [N, K], labels int32.
// A single workgroup (grid = 1): lane l takes samples l, l + 64, ... then a fixed tree: deterministic.
#define WG_SIZE 64
layout(local_size_x = WG_SIZE) in;

layout(binding = 0, r32f) uniform readonly imageBuffer logits;
layout(std430, binding = 1) readonly buffer Labels { int labels[]; };
layout(std430, binding = 2) writeonly buffer Out { float result[]; };

#include "softmax_ce_common.glsl"
#include "wg_reduce.glsl"

void main()
{
    vec2 acc = vec2(0.0); // (sum of losses, correct count)
    for (uint n = gl_LocalInvocationID.x; n < p.batch; n += WG_SIZE)
    {
        uint argmax;
        float m = row_max(n, argmax);
        float lse = row_logsumexp(n, m);
        int label = labels[n];
        uint base = n * p.classes;
        float sumz = 0.0;
        for (uint k = 0; k < p.classes; ++k)
            sumz += imageLoad(logits, int(base + k)).x;
        float zy = imageLoad(logits, int(base) + label).x;
        float target = (1.0 - p.smoothing) * zy + p.smoothing / float(p.classes) * sumz;
        acc += vec2(lse - target, argmax == uint(label) ? 1.0 : 0.0);
    }
    vec2 total = wg_reduce_sum2(acc);
    if (gl_LocalInvocationID.x == 0)
    {
        result[0] = total.x / float(p.batch);
        result[1] = total.y;
    }
}
