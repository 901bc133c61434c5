#version 450
// SyncBatchNorm forward apply pass: see include/sync_batchnorm_apply.glsl.
#include "sync_batchnorm_apply.glsl"
