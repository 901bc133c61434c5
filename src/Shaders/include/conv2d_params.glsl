// Push constants shared by every conv2d kernel; mirrored by Conv2dPush in src/Graph/Kernels/Conv2dKernels.cs.
// flags: bit 0 add bias, bit 1 add residual, bit 2 ReLU, bit 3 accumulate (out += result instead of out = result).
// splitK: reduction length per split-K slice (conv2d_backward_weight_gpu only; 0 = no split).
layout(push_constant) uniform Conv2dParams
{
    int N, Cin, H, W, Cout, KH, KW, SH, SW, PH, PW, OH, OW;
    uint flags;
    int splitK;
} p;

const uint CONV_BIAS = 1u;
const uint CONV_RESIDUAL = 2u;
const uint CONV_RELU = 4u;
const uint CONV_ACCUMULATE = 8u;
