#version 450
// Stand-in for an app's render pass (samples/RealtimeHost): shades a width x height RGBA8 frame with an
// animated pattern, `work` cosine terms per pixel so that the pass has a real cost.
// Layout: one uint per pixel (R in the low byte), rows of width pixels. One invocation per pixel, 8x8 groups.
layout(local_size_x = 8, local_size_y = 8) in;

layout(std430, binding = 0) writeonly buffer Frame { uint rgba[]; };

layout(push_constant) uniform Push
{
    uint width;
    uint height;
    uint work;
    float time;
} p;

void main()
{
    uvec2 id = gl_GlobalInvocationID.xy;
    if (id.x >= p.width || id.y >= p.height)
        return;
    vec2 uv = vec2(id) / vec2(p.width, p.height);
    vec3 c = vec3(0.0);
    for (uint i = 0u; i < p.work; ++i)
    {
        float k = float(i + 1u);
        c += 0.5 + 0.5 * cos(p.time * 0.7 * k + uv.xyx * 6.2831853 * k + vec3(0.0, 2.0, 4.0));
    }
    c /= float(max(p.work, 1u));
    rgba[id.y * p.width + id.x] = packUnorm4x8(vec4(c, 1.0));
}
