#version 450
// RGBA8 pixels to a normalised NCHW float tensor: y[n, c, h, w] = (rgba[n, h, w].c / 255 - mean[c]) / std[c],
// for c < channels (1..4; a 1-channel model reads R). Source: one uint per pixel, R in the low byte
// (VK_FORMAT_R8G8B8A8_UNORM bytes read as little-endian uint), rows of width pixels, images back to back.
// One invocation per source pixel writes all its channels; grid: ceil(pixels / 64) groups, flattened from 2-D.
layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer Src { uint rgba[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };

layout(push_constant) uniform Push
{
    uint pixels;    // batch * height * width
    uint plane;     // height * width
    uint channels;
    uint pad;
    float mean0, mean1, mean2, mean3;
    float std0, std1, std2, std3;
} p;

#include "ops_grid.glsl"

void main()
{
    uint t = flat_invocation_id();
    if (t >= p.pixels)
        return;
    uint n = t / p.plane, i = t - n * p.plane;
    vec4 v = unpackUnorm4x8(rgba[t]);
    vec4 mean = vec4(p.mean0, p.mean1, p.mean2, p.mean3);
    vec4 sd = vec4(p.std0, p.std1, p.std2, p.std3);
    uint base = n * p.channels * p.plane + i;
    for (uint c = 0; c < p.channels; ++c)
        y[base + c * p.plane] = (v[c] - mean[c]) / sd[c];
}
