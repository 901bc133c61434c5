#version 450
// SGD with momentum, weight decay and optional Nesterov, in place (PyTorch semantics, dampening 0):
// d = g + wd*w; v = mu*v + d; step = nesterov ? d + mu*v : v; w -= lr*step. The learning rate is
// read from a 1-float storage buffer so a recorded command buffer follows an LR schedule without
// re-recording. Elementwise over count floats; each invocation reads one rgba32f texel of g (4 elements)
// and updates the in-range w and v; grid: ceil(count / 4 / 64) groups, flattened from 2-D.
layout(local_size_x = 64) in;

layout(binding = 0) uniform samplerBuffer grad;
layout(std430, binding = 1) readonly buffer Lr { float lr; };
layout(std430, binding = 2) buffer Weight { vec4 w[]; };
layout(std430, binding = 3) buffer Velocity { vec4 v[]; };

layout(push_constant) uniform Push
{
    uint count;
    float momentum;
    float weight_decay;
    uint nesterov; // 0 or 1
} p;

#include "ops_grid.glsl"

void main()
{
    uint t = flat_invocation_id();
    uint base = t * 4u;
    if (base >= p.count)
        return;
    vec4 g = texelFetch(grad, int(t));
    vec4 wi = w[t]; // the last texel's padding is read but never written
    vec4 d = g + p.weight_decay * wi;
    vec4 vi = p.momentum * v[t] + d;
    vec4 step = p.nesterov != 0u ? d + p.momentum * vi : vi;
    vec4 wn = wi - lr * step;
    if (base + 4u <= p.count)
    {
        v[t] = vi;
        w[t] = wn;
    }
    else
        for (uint k = 0; base + k < p.count; ++k)
        {
            v[t][k] = vi[k];
            w[t][k] = wn[k];
        }
}
