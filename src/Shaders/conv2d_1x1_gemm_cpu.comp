#version 450
// 1x1 conv as a plain GEMM, _cpu blocking; see include/conv2d_1x1_gemm_cpu.glsl.
#include "conv2d_1x1_gemm_cpu.glsl"
