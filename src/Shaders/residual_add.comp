#version 450
// Residual add: y = a + b, elementwise over count floats (any layout, same shape).
// Each invocation reads one rgba32f texel of a and of b (4 elements) and writes the in-range ones;
// grid: ceil(count / 4 / 64) groups, flattened from 2-D.
layout(local_size_x = 64) in;

layout(binding = 0) uniform samplerBuffer a;
layout(binding = 1) uniform samplerBuffer b;
layout(std430, binding = 2) writeonly buffer Y { vec4 y[]; };

layout(push_constant) uniform Push { uint count; } p;

#include "ops_grid.glsl"

void main()
{
    uint t = flat_invocation_id();
    uint base = t * 4u;
    if (base >= p.count)
        return;
    vec4 v = texelFetch(a, int(t)) + texelFetch(b, int(t));
    if (base + 4u <= p.count)
        y[t] = v;
    else // the last, partial texel: component stores stay inside the tensor
        for (uint k = 0; base + k < p.count; ++k)
            y[t][k] = v[k];
}
