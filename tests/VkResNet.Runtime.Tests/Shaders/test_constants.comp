#version 450
// Writes what reaches the shader: push constants and specialization constants, to check plumbing.
layout(local_size_x_id = 0, local_size_y_id = 1) in;
layout(constant_id = 2) const int SPEC_INT = 7;
layout(constant_id = 3) const float SPEC_FLOAT = 0.5;
layout(std430, binding = 0) writeonly buffer O { float o[]; };
layout(push_constant) uniform P { int a; float b; uint c; int d; } p;
void main() {
    if (gl_GlobalInvocationID.x != 0 || gl_GlobalInvocationID.y != 0) return;
    o[0] = float(p.a); o[1] = p.b; o[2] = float(p.c); o[3] = float(p.d);
    o[4] = float(SPEC_INT); o[5] = SPEC_FLOAT;
    o[6] = float(gl_WorkGroupSize.x); o[7] = float(gl_WorkGroupSize.y);
}
