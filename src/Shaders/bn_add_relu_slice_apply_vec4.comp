#version 450
// Batch norm split over workgroups, fused residual tail relu(bn(x) + residual), normalise each (channel, slice); statistics from batchnorm_slice_stats; H*W a multiple of 4, a texel a lane step: see include/batchnorm_slices.glsl.
#define BN_PASS BN_APPLY
#define BN_VEC4
#define BN_ADD_RELU
#include "batchnorm_slices.glsl"
