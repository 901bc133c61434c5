// Register blocking for the _cpu variants (llvmpipe-like devices): one invocation owns an 8x8 block of C,
// the 8 lanes of a workgroup share the same 8 rows (uniform A loads) and take interleaved columns
// (column = base + lane + 8*j), so B loads of neighbouring lanes hit neighbouring addresses.
// No shared memory, no barriers: on llvmpipe they cost more than they save (see ANCHORS.md).
#extension GL_EXT_control_flow_attributes : require

#define BM 8
#define BN 8
#define WG_COLS (BN * 8)

// Scalar load from an r32f texel buffer: the branch-free gather path on llvmpipe.
#define LOAD(img, i) imageLoad(img, int(i)).x
