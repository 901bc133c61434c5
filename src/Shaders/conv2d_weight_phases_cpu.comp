#version 450
// wp[z][ci][k] = w[co, ci, ry + SH*u, rx + SW*v] with k = (co*khp + u)*kwp + v over the taps of stride phase z
// (conv2d_phase.glsl), zero for k past Cout*khp*kwp: the weights of the stride-phase backward-input form, laid out
// as forward-style GEMM rows so that kernel reads them 4 taps at a time. Layout: conv2d_phase_weights.glsl.
// One invocation per element of a phase block; index splits by float reciprocal (exact: the launcher keeps
// Cin*Kp < 2^23). Dispatch: (ceil(Cin * max Kp / 256), 1, SH*SW).
#include "cpu_block.glsl"
#include "conv2d_params.glsl"
#include "conv2d_phase_weights.glsl"
layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Wt { float w[]; };
layout(std430, binding = 1) writeonly buffer WPhases { float wp[]; };

void main()
{
    const int z = int(gl_WorkGroupID.z);
    const ivec4 f = phaseTaps(z);   // ry, rx, khp, kwp
    const int kp = phaseRowLength(f);
    const int i = int(gl_GlobalInvocationID.x);
    if (i >= p.Cin * kp) return;
    const ivec2 ck = divmod(i, kp, 1.0 / float(kp));
    const int taps = f.z * f.w;
    float v = 0.0;
    if (ck.y < p.Cout * taps)
    {
        ivec2 ct = divmod(ck.y, taps, 1.0 / float(taps)), uv = divmod(ct.y, f.w, 1.0 / float(f.w));
        v = w[((ct.x * p.Cin + ck.x) * p.KH + f.x + p.SH * uv.x) * p.KW + f.y + p.SW * uv.y];
    }
    wp[phaseBlockOffset(z) + i] = v;
}
