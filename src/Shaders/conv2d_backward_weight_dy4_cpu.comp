#version 450
// Backward weight with dy read 4 outputs at a time, _cpu blocking; see include/conv2d_backward_weight_dy4_cpu.glsl.
#include "conv2d_backward_weight_dy4_cpu.glsl"
