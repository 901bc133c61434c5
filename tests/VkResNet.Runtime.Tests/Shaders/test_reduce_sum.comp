#version 450
// out[g] = sum of x[g*chunk .. (g+1)*chunk) in a fixed sequential order, one workgroup of one
// invocation per chunk: a deterministic (bit-identical run to run) two-level reduction's first level.
layout(local_size_x = 1) in;
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer O { float o[]; };
layout(push_constant) uniform P { uint n; uint chunk; } p;
void main() {
    uint g = gl_WorkGroupID.x;
    uint begin = g * p.chunk;
    uint end = min(begin + p.chunk, p.n);
    float s = 0.0;
    for (uint i = begin; i < end; ++i) s += x[i];
    o[g] = s;
}
