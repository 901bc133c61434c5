#version 450
// wr[((b*Cin + ci)*9 + tap)*R + r] = w[b*R + r, ci, tap] (0 past Cout): the 3x3 weights of each block of R output
// channels (R in p.splitK) laid out per input channel, 9 taps x R channels, so conv2d_forward_rows_cpu reads one
// channel block's weights for one input channel as 9*R/4 consecutive rgba32f texels. Flag bit 0: the shape is the
// transposed conv of a stride-1 backward input (Cin = the original Cout, Cout = the original Cin) and w the original
// weight [Cin,Cout,3,3], read flipped: w'[co,ci,ky,kx] = w[ci,co,2-ky,2-kx]. Dispatch: (ceil(Cin*9*CoutP / 256), 1, 1).
#include "conv2d_params.glsl"
layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Wt { float w[]; };
layout(std430, binding = 1) writeonly buffer Wr { float wr[]; };

void main()
{
    const int R = p.splitK;
    const int blocks = (p.Cout + R - 1) / R;
    const int i = int(gl_GlobalInvocationID.x);
    if (i >= blocks * p.Cin * 9 * R) return;
    int r = i % R, rest = i / R;
    int tap = rest % 9, bc = rest / 9;
    int ci = bc % p.Cin, co = (bc / p.Cin) * R + r;
    float v = 0.0;
    if (co < p.Cout)
        v = (p.flags & 1u) != 0u ? w[(ci * p.Cout + co) * 9 + (8 - tap)] : w[(co * p.Cin + ci) * 9 + tap];
    wr[i] = v;
}
