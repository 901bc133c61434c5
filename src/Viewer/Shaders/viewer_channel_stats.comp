#version 450
// Per-channel statistics of one image of an NCHW float tensor, for the viewer's normalisation:
// stats[base + 4c .. 4c+3] = (min, max, mean, std) over the H*W map of channel c of image n.
// One workgroup of 64 invocations per channel; each strides over the map, then a shared-memory
// tree reduction. Two passes over the map (mean first, then squared deviations) keep std exact-ish.
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer T { float t[]; };
layout(std430, binding = 1) buffer S { float stats[]; };
layout(push_constant) uniform P { uint n; uint channels; uint hw; uint base; } p;

shared float smin[64];
shared float smax[64];
shared float ssum[64];

void main() {
    uint c = gl_WorkGroupID.x;
    uint i = gl_LocalInvocationID.x;
    uint origin = (p.n * p.channels + c) * p.hw;
    float lo = 3.4e38, hi = -3.4e38, sum = 0.0;
    for (uint k = i; k < p.hw; k += 64u) {
        float v = t[origin + k];
        lo = min(lo, v);
        hi = max(hi, v);
        sum += v;
    }
    smin[i] = lo; smax[i] = hi; ssum[i] = sum;
    barrier();
    for (uint s = 32u; s > 0u; s >>= 1) {
        if (i < s) {
            smin[i] = min(smin[i], smin[i + s]);
            smax[i] = max(smax[i], smax[i + s]);
            ssum[i] += ssum[i + s];
        }
        barrier();
    }
    float mean = ssum[0] / float(p.hw);
    barrier();
    float dev = 0.0;
    for (uint k = i; k < p.hw; k += 64u) {
        float d = t[origin + k] - mean;
        dev += d * d;
    }
    ssum[i] = dev;
    barrier();
    for (uint s = 32u; s > 0u; s >>= 1) {
        if (i < s) ssum[i] += ssum[i + s];
        barrier();
    }
    if (i == 0u) {
        uint o = p.base + 4u * c;
        stats[o] = smin[0];
        stats[o + 1u] = smax[0];
        stats[o + 2u] = mean;
        stats[o + 3u] = sqrt(ssum[0] / float(p.hw));
    }
}
