#version 450
// conv2d_1x1_gemm_cpu with the rows' operand loaded once across the workgroup and shared by subgroup shuffles (cpu_block.glsl,
// SHUFFLE_ROWS); see include/conv2d_1x1_gemm_cpu.glsl.
#define SHUFFLE_ROWS
#include "conv2d_1x1_gemm_cpu.glsl"
