// Push constants and row helpers shared by softmax_cross_entropy_forward/backward.
// logits [N, K] row-major float32, labels int32 [N] in [0, K) (the data readers check); targets are label-smoothed:
// t_k = (1 - smoothing) * onehot_k + smoothing / K. Reads the includer's r32f image buffer named logits.
#ifndef SOFTMAX_CE_COMMON_GLSL
#define SOFTMAX_CE_COMMON_GLSL

layout(push_constant) uniform Push
{
    uint batch;
    uint classes;
    float smoothing;
} p;

// Row maximum and its first index (top-1 prediction with PyTorch's argmax tie rule).
float row_max(uint row, out uint argmax)
{
    uint base = row * p.classes;
    float m = imageLoad(logits, int(base)).x;
    argmax = 0u;
    for (uint k = 1; k < p.classes; ++k)
    {
        float v = imageLoad(logits, int(base + k)).x;
        if (v > m)
        {
            m = v;
            argmax = k;
        }
    }
    return m;
}

// log(sum_k exp(z_k)) computed as m + log(sum exp(z_k - m)), stable for large logits.
float row_logsumexp(uint row, float m)
{
    uint base = row * p.classes;
    float s = 0.0;
    for (uint k = 0; k < p.classes; ++k)
        s += exp(imageLoad(logits, int(base + k)).x - m);
    return m + log(s);
}

#endif
