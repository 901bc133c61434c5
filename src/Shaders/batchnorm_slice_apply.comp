#version 450
// Batch norm split over workgroups, training forward, normalise each (channel, slice): see include/batchnorm_slices.glsl.
#define BN_PASS BN_APPLY
#include "batchnorm_slices.glsl"
