#version 450
// conv2d_backward_weight_taps_cpu with the dy rows shared across the workgroup by subgroup shuffles (needs subgroup
// shuffles in compute and subgroups of at least 8); see include/conv2d_backward_weight_taps.glsl.
#define SHUFFLE_ROWS
#include "conv2d_backward_weight_taps.glsl"
