// The _cpu register block as specialization constants, so the tuner can try several sizes of one kernel:
// constant 1 = BM (output rows per invocation), constant 2 = BN (columns per lane); 8x8 by default (CpuBlock in
// Conv2dKernels.cs is the host side). Include before cpu_block.glsl.
layout(constant_id = 1) const int BLOCK_ROWS = 8;
layout(constant_id = 2) const int BLOCK_COLS = 8;
#define BM BLOCK_ROWS
#define BN BLOCK_COLS
