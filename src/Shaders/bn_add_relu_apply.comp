#version 450
// SyncBatchNorm forward apply pass of y = relu(bn(x) + residual): see include/sync_batchnorm_apply.glsl.
#define BN_ADD_RELU
#include "sync_batchnorm_apply.glsl"
