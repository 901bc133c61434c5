#version 450
// Accumulate: y += x, elementwise over count floats; the graph sums the gradients of a tensor that
// feeds two consumers with it. Each invocation reads one rgba32f texel of x (4 elements) and updates
// the in-range elements of y in place; grid: ceil(count / 4 / 64) groups, flattened from 2-D.
layout(local_size_x = 64) in;

layout(binding = 0) uniform samplerBuffer x;
layout(std430, binding = 1) buffer Y { vec4 y[]; };

layout(push_constant) uniform Push { uint count; } p;

#include "ops_grid.glsl"

void main()
{
    uint t = flat_invocation_id();
    uint base = t * 4u;
    if (base >= p.count)
        return;
    vec4 v = texelFetch(x, int(t));
    if (base + 4u <= p.count)
        y[t] += v;
    else // the last, partial texel: component updates stay inside the tensor
        for (uint k = 0; base + k < p.count; ++k)
            y[t][k] += v[k];
}
