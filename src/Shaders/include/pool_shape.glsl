// Push constants shared by maxpool_forward and maxpool_backward (mirrored by MaxPoolPush in C#).
// Output size is floor((H + 2*pad - kernel) / stride) + 1 (PyTorch, ceil_mode = false).
#ifndef POOL_SHAPE_GLSL
#define POOL_SHAPE_GLSL

layout(push_constant) uniform Push
{
    uint planes; // N * C
    uint h;
    uint w;
    uint ho;
    uint wo;
    uint kernel;
    uint stride;
    uint pad;
} p;

#endif
