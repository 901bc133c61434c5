#version 450
// Batch norm split over workgroups, backward, sums of each (channel, slice): see include/batchnorm_slices.glsl.
#define BN_PASS BN_BACKWARD_STATS
#include "batchnorm_slices.glsl"
