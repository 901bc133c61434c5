#version 450
// Whole-stage statistics from the per-channel ones viewer_channel_stats wrote:
// stats[4*slot .. +3] = (min, max, mean, std) over all C*H*W values of one image. Every channel has
// the same H*W, so the stage mean is the mean of channel means and E[x^2] = mean(std_c^2 + mean_c^2).
// One workgroup of 64 invocations strides over the channels, then a shared-memory reduction.
layout(local_size_x = 64) in;
layout(std430, binding = 0) buffer S { float stats[]; };
layout(push_constant) uniform P { uint channels; uint base; uint slot; } p;

shared float smin[64];
shared float smax[64];
shared float smean[64];
shared float ssq[64];

void main() {
    uint i = gl_LocalInvocationID.x;
    float lo = 3.4e38, hi = -3.4e38, m = 0.0, sq = 0.0;
    for (uint c = i; c < p.channels; c += 64u) {
        uint o = p.base + 4u * c;
        lo = min(lo, stats[o]);
        hi = max(hi, stats[o + 1u]);
        float mc = stats[o + 2u], sc = stats[o + 3u];
        m += mc;
        sq += sc * sc + mc * mc;
    }
    smin[i] = lo; smax[i] = hi; smean[i] = m; ssq[i] = sq;
    barrier();
    for (uint s = 32u; s > 0u; s >>= 1) {
        if (i < s) {
            smin[i] = min(smin[i], smin[i + s]);
            smax[i] = max(smax[i], smax[i + s]);
            smean[i] += smean[i + s];
            ssq[i] += ssq[i + s];
        }
        barrier();
    }
    if (i == 0u) {
        float mean = smean[0] / float(p.channels);
        float var = max(ssq[0] / float(p.channels) - mean * mean, 0.0);
        uint o = 4u * p.slot;
        stats[o] = smin[0];
        stats[o + 1u] = smax[0];
        stats[o + 2u] = mean;
        stats[o + 3u] = sqrt(var);
    }
}
