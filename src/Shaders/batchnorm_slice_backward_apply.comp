#version 450
// Batch norm split over workgroups, backward, dx of each (channel, slice): see include/batchnorm_slices.glsl.
#define BN_PASS BN_BACKWARD_APPLY
#include "batchnorm_slices.glsl"
