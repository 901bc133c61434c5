#version 450
// wt[ci,co,ky,kx] = w[co,ci,KH-1-ky,KW-1-kx]: the weights of the transposed convolution, so that a stride-1
// backward-input pass runs as a forward conv (with its faster tiling) of dy with wt and padding K-1-P.
// One invocation per element, reading w in order. Dispatch: (ceil(Cout*Cin*KH*KW / 256), 1, 1).
#include "conv2d_params.glsl"
layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Wt { float w[]; };
layout(std430, binding = 1) writeonly buffer WtFlip { float wt[]; };

void main()
{
    const int khw = p.KH * p.KW;
    const int i = int(gl_GlobalInvocationID.x);
    if (i >= p.Cout * p.Cin * khw) return;
    int tap = i % khw, pair = i / khw;
    int ci = pair % p.Cin, co = pair / p.Cin;
    wt[(ci * p.Cout + co) * khw + (khw - 1 - tap)] = w[i];
}
