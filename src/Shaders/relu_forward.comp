#version 450
// ReLU forward: y = max(x, 0), elementwise over count floats (any layout).
// Each invocation reads one rgba32f texel of x (4 elements) and writes them as one vec4 (the in-range
// components for the last texel);
// grid: ceil(count / 4 / 64) groups, flattened from 2-D.
layout(local_size_x = 64) in;

layout(binding = 0) uniform samplerBuffer x;
layout(std430, binding = 1) writeonly buffer Y { vec4 y[]; };

layout(push_constant) uniform Push { uint count; } p;

#include "ops_grid.glsl"

void main()
{
    uint t = flat_invocation_id();
    uint base = t * 4u;
    if (base >= p.count)
        return;
    vec4 v = max(texelFetch(x, int(t)), vec4(0.0));
    if (base + 4u <= p.count)
        y[t] = v;
    else // the last, partial texel: component stores stay inside the tensor
        for (uint k = 0; base + k < p.count; ++k)
            y[t][k] = v[k];
}
