#version 450
// Direct implicit-GEMM backward weight, _cpu blocking; see include/conv2d_backward_weight_cpu.glsl.
#include "conv2d_backward_weight_cpu.glsl"
