#version 450
// Batch norm split over workgroups, backward of the fused tail: dy masked by y > 0 into dresidual, sums of each (channel, slice); then batchnorm_slice_backward_apply on dresidual: see include/batchnorm_slices.glsl.
#define BN_PASS BN_BACKWARD_STATS
#define BN_ADD_RELU
#include "batchnorm_slices.glsl"
