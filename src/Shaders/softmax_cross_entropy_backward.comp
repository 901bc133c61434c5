#version 450
// Softmax cross-entropy backward of the batch-mean loss: dlogits[n, k] = (softmax(z_n)_k - t_k) / N
// with label-smoothed targets t_k = (1 - smoothing) * [k == label] + smoothing / K.
// logits and dlogits [N, K] row-major float32, labels int32 [N]. One invocation per sample row
// (recomputes max and log-sum-exp; K is 10..1000); grid: ceil(N / 64) groups, flattened from 2-D.
layout(local_size_x = 64) in;

layout(binding = 0, r32f) uniform readonly imageBuffer logits;
layout(std430, binding = 1) readonly buffer Labels { int labels[]; };
layout(std430, binding = 2) writeonly buffer DLogits { float dlogits[]; };

#include "softmax_ce_common.glsl"
#include "ops_grid.glsl"

void main()
{
    uint n = flat_invocation_id();
    if (n >= p.batch)
        return;
    uint argmax;
    float m = row_max(n, argmax);
    float lse = row_logsumexp(n, m);
    uint label = uint(labels[n]);
    uint base = n * p.classes;
    float invN = 1.0 / float(p.batch);
    float off = p.smoothing / float(p.classes);
    for (uint k = 0; k < p.classes; ++k)
    {
        float prob = exp(imageLoad(logits, int(base + k)).x - lse);
        float t = (k == label ? 1.0 - p.smoothing : 0.0) + off;
        dlogits[base + k] = (prob - t) * invN;
    }
}
