#version 450
// db[c] = sum_{n,i} dy[n,c,i] for dy [N, C, inner] (conv: inner = OH*OW; linear: inner = 1); written (flag bit 3: added).
// One workgroup of 64 per channel: each invocation sums a fixed strided subset, then a fixed-order tree in
// shared memory, so the result is bit-identical run to run (no atomics). Shared by both variants.
// Dispatch: (C, 1, 1).
layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer DY { float dy[]; };
layout(std430, binding = 1) buffer DB { float db[]; };

layout(push_constant) uniform BiasGradParams { int N, C, inner; uint flags; } p;

shared float partial[64];

void main()
{
    const int c = int(gl_WorkGroupID.x);
    const int t = int(gl_LocalInvocationID.x);
    const int count = p.N * p.inner;
    float s = 0.0;
    for (int e = t; e < count; e += 64)
    {
        int n = e / p.inner, i = e - n * p.inner;
        s += dy[(n * p.C + c) * p.inner + i];
    }
    partial[t] = s;
    barrier();
    for (int half_ = 32; half_ > 0; half_ >>= 1)
    {
        if (t < half_) partial[t] += partial[t + half_];
        barrier();
    }
    if (t == 0) db[c] = ((p.flags & 8u) != 0u) ? db[c] + partial[0] : partial[0];
}
