#version 450
// Batch norm split over workgroups, backward, sums of each (channel, slice); H*W a multiple of 4, a texel a lane step: see include/batchnorm_slices.glsl.
#define BN_PASS BN_BACKWARD_STATS
#define BN_VEC4
#include "batchnorm_slices.glsl"
