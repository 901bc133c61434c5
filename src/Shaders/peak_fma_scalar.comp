#version 450
// Device peak probe, scalar form: 8 independent scalar FMA chains per invocation.
// FLOPs = invocations * ITERATIONS * 8 chains * 2.
layout(local_size_x_id = 0) in;
layout(constant_id = 1) const int ITERATIONS = 1024;
layout(std430, binding = 0) writeonly buffer O { float o[]; };
layout(push_constant) uniform P { float a; float b; } p;
void main() {
    float s0 = float(gl_GlobalInvocationID.x), s1 = s0 + 1.0, s2 = s0 + 2.0, s3 = s0 + 3.0;
    float s4 = s0 + 4.0, s5 = s0 + 5.0, s6 = s0 + 6.0, s7 = s0 + 7.0;
    for (int i = 0; i < ITERATIONS; ++i) {
        s0 = fma(s0, p.a, p.b); s1 = fma(s1, p.a, p.b); s2 = fma(s2, p.a, p.b); s3 = fma(s3, p.a, p.b);
        s4 = fma(s4, p.a, p.b); s5 = fma(s5, p.a, p.b); s6 = fma(s6, p.a, p.b); s7 = fma(s7, p.a, p.b);
    }
    o[gl_GlobalInvocationID.x] = (s0 + s1) + (s2 + s3) + (s4 + s5) + (s6 + s7);
}
