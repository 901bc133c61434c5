#version 450
// Backward input per stride phase as flat GEMMs, _cpu blocking; see include/conv2d_backward_input_phase_cpu.glsl.
#include "conv2d_backward_input_phase_cpu.glsl"
