#version 450
// y[i] = s * x[i] with x read through both texel-buffer kinds: a samplerBuffer (rgba32f, texelFetch)
// and an imageBuffer (rgba32f, imageLoad). Checks the views the runtime builds from reflection.
layout(local_size_x = 8) in;
layout(binding = 0) uniform samplerBuffer xs;
layout(binding = 1, rgba32f) uniform readonly imageBuffer xi;
layout(std430, binding = 2) writeonly buffer Y { vec4 y[]; };
layout(push_constant) uniform P { uint texels; float s; } p;
void main() {
    uint i = gl_GlobalInvocationID.x;
    if (i >= p.texels) return;
    y[i] = p.s * texelFetch(xs, int(i)) + imageLoad(xi, int(i));
}
