#version 450
// 3x3 backward weight, 9 taps of one input channel per invocation; see include/conv2d_backward_weight_taps.glsl.
#include "conv2d_backward_weight_taps.glsl"
