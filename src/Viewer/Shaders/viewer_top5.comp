#version 450
// Top-5 classes of one image's logits (row n of an N x K matrix) with their softmax probabilities:
// top[0..4] = class indices (as uint), top[5..9] = probabilities (float bits).
// One invocation: K is at most a few thousand, read six times per frame; not worth a tree.
layout(local_size_x = 1) in;
layout(std430, binding = 0) readonly buffer L { float logits[]; };
layout(std430, binding = 1) writeonly buffer O { uint top[]; };
layout(push_constant) uniform P { uint n; uint classes; } p;

void main() {
    uint row = p.n * p.classes;
    float hi = -3.4e38;
    for (uint k = 0u; k < p.classes; ++k) hi = max(hi, logits[row + k]);
    float z = 0.0;
    for (uint k = 0u; k < p.classes; ++k) z += exp(logits[row + k] - hi);
    int taken[5] = int[5](-1, -1, -1, -1, -1);
    for (int r = 0; r < 5; ++r) {
        int best = -1;
        float bv = -3.4e38;
        for (uint k = 0u; k < p.classes; ++k) {
            bool used = false;
            for (int q = 0; q < r; ++q) used = used || taken[q] == int(k);
            float v = logits[row + k];
            if (!used && (best < 0 || v > bv)) { best = int(k); bv = v; }
        }
        taken[r] = best;
        top[r] = best < 0 ? 0xFFFFFFFFu : uint(best);
        top[5 + r] = floatBitsToUint(best < 0 ? 0.0 : exp(bv - hi) / z);
    }
}
