#version 450
// ReLU backward from the forward OUTPUT: dx = dy where y > 0, else 0 (y > 0 iff x > 0, so this equals
// the input-based rule, and lets the graph drop x). Elementwise over count floats; each invocation
// reads one rgba32f texel of dy and of y (4 elements); grid: ceil(count / 4 / 64) groups, 2-D flattened.
layout(local_size_x = 64) in;

layout(binding = 0) uniform samplerBuffer dy;
layout(binding = 1) uniform samplerBuffer y;
layout(std430, binding = 2) writeonly buffer DX { vec4 dx[]; };

layout(push_constant) uniform Push { uint count; } p;

#include "ops_grid.glsl"

void main()
{
    uint t = flat_invocation_id();
    uint base = t * 4u;
    if (base >= p.count)
        return;
    vec4 g = texelFetch(dy, int(t));
    vec4 v = texelFetch(y, int(t));
    vec4 r = mix(vec4(0.0), g, greaterThan(v, vec4(0.0)));
    if (base + 4u <= p.count)
        dx[t] = r;
    else // the last, partial texel: component stores stay inside the tensor
        for (uint k = 0; base + k < p.count; ++k)
            dx[t][k] = r[k];
}
