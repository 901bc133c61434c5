#version 450
#extension GL_EXT_samplerless_texture_functions : require
// dst[y * width + x] = texel (x, y) of a sampled image read with texelFetch and no sampler: checks the
// sampled-image binding the runtime builds from reflection over an app's image view.
layout(local_size_x = 8, local_size_y = 8) in;
layout(binding = 0) uniform texture2D src;
layout(std430, binding = 1) writeonly buffer Dst { vec4 dst[]; };
layout(push_constant) uniform P { uint width; uint height; } p;
void main() {
    uvec2 xy = gl_GlobalInvocationID.xy;
    if (xy.x >= p.width || xy.y >= p.height) return;
    dst[xy.y * p.width + xy.x] = texelFetch(src, ivec2(xy), 0);
}
