#version 450
// SyncBatchNorm backward statistics pass: see include/sync_batchnorm_backward_stats.glsl.
#include "sync_batchnorm_backward_stats.glsl"
