#version 450
// Batch norm split over workgroups, fused residual tail relu(bn(x) + residual), normalise each (channel, slice); statistics from batchnorm_slice_stats: see include/batchnorm_slices.glsl.
#define BN_PASS BN_APPLY
#define BN_ADD_RELU
#include "batchnorm_slices.glsl"
