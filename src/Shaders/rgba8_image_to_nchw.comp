#version 450
#extension GL_EXT_samplerless_texture_functions : require
// An app's RGBA8 image to a normalised NCHW float tensor, read in place: y[n, c, h, w] = (byte c of texel
// (w, n * height + h) / 255 - mean[c]) / std[c] for c < channels (the batch stacked vertically in one 2-D image).
// The image is a sampled-image binding read with texelFetch (no sampler); the view's format puts R first whatever
// the memory order (B8G8R8A8), and an sRGB view's decode is undone, so the stored bytes come back and are unpacked
// exactly as rgba8_to_nchw unpacks a buffer (the two pre-passes give the same bits). One invocation per pixel;
// 8x8 workgroups over (width, batch * height).
layout(local_size_x = 8, local_size_y = 8) in;

layout(binding = 0) uniform texture2D src;
layout(std430, binding = 1) writeonly buffer Y { float y[]; };

layout(push_constant) uniform Push
{
    uint width;
    uint height;    // of one image of the batch
    uint rows;      // batch * height: the image's height
    uint channels;
    uint srgb;      // 1: the view decodes sRGB to linear; re-encode to get the stored bytes
    float mean0, mean1, mean2, mean3;
    float std0, std1, std2, std3;
} p;

// Linear -> sRGB-encoded (IEC 61966-2-1), the inverse of what an _SRGB view applies to R, G and B.
vec3 srgb_encode(vec3 l)
{
    l = clamp(l, 0.0, 1.0);
    return mix(1.055 * pow(l, vec3(1.0 / 2.4)) - 0.055, l * 12.92, lessThanEqual(l, vec3(0.0031308)));
}

void main()
{
    uvec2 xy = gl_GlobalInvocationID.xy;
    if (xy.x >= p.width || xy.y >= p.rows)
        return;
    vec4 t = texelFetch(src, ivec2(xy), 0);
    if (p.srgb != 0)
        t.rgb = srgb_encode(t.rgb);
    uvec4 b = uvec4(round(clamp(t, 0.0, 1.0) * 255.0));
    vec4 v = unpackUnorm4x8(b.r | (b.g << 8) | (b.b << 16) | (b.a << 24));
    vec4 mean = vec4(p.mean0, p.mean1, p.mean2, p.mean3);
    vec4 sd = vec4(p.std0, p.std1, p.std2, p.std3);
    uint n = xy.y / p.height, h = xy.y - n * p.height;
    uint plane = p.height * p.width;
    uint base = n * p.channels * plane + h * p.width + xy.x;
    for (uint c = 0; c < p.channels; ++c)
        y[base + c * plane] = (v[c] - mean[c]) / sd[c];
}
