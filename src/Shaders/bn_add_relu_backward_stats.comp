#version 450
// SyncBatchNorm backward statistics pass of y = relu(bn(x) + residual): see include/sync_batchnorm_backward_stats.glsl.
#define BN_ADD_RELU
#include "sync_batchnorm_backward_stats.glsl"
