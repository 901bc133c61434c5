#version 450
// Batch norm split over workgroups, training forward, statistics of each (channel, slice): see include/batchnorm_slices.glsl.
#define BN_PASS BN_STATS
#include "batchnorm_slices.glsl"
