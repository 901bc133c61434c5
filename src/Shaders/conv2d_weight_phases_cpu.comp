#version 450
// wp[z][ci][k] = w[co, ci, ry + SH*u, rx + SW*v] with k = (co*khp + u)*kwp + v over the taps of stride phase z
// (conv2d_phase.glsl), zero for k past Cout*khp*kwp: the weights of the stride-phase backward-input form, laid out
// as forward-style GEMM rows so that kernel reads them 4 taps at a time. Layout: conv2d_phase_weights.glsl.
// One invocation per element of a phase block. Dispatch: (ceil(Cin * max Kp / 256), 1, SH*SW).
#include "conv2d_params.glsl"
#include "conv2d_phase.glsl"
#include "conv2d_phase_weights.glsl"
layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Wt { float w[]; };
layout(std430, binding = 1) writeonly buffer WPhases { float wp[]; };

void main()
{
    const int z = int(gl_WorkGroupID.z);
    const ConvPhase f = convPhase(z, p.H, p.W, p.KH, p.KW, p.SH, p.SW, p.PH, p.PW);
    const int kp = phaseRowLength(f);
    const int i = int(gl_GlobalInvocationID.x);
    if (i >= p.Cin * kp) return;
    const int ci = i / kp, k = i - ci * kp;
    const int taps = f.khp * f.kwp;
    float v = 0.0;
    if (k < p.Cout * taps)
    {
        int co = k / taps, t = k - co * taps;
        int u = t / f.kwp, vv = t - u * f.kwp;
        v = w[((co * p.Cin + ci) * p.KH + f.ry + p.SH * u) * p.KW + f.rx + p.SW * vv];
    }
    wp[phaseBlockOffset(z) + i] = v;
}
