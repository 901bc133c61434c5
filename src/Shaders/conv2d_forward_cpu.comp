#version 450
// Direct implicit-GEMM forward, _cpu blocking; see include/conv2d_forward_cpu.glsl.
#include "conv2d_forward_cpu.glsl"
