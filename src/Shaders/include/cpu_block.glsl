// Register blocking for the _cpu variants (llvmpipe-like devices): one invocation owns an 8x8 block of C,
// the 8 lanes of a workgroup share the same 8 rows (uniform A loads) and take interleaved columns
// (column = base + lane + 8*j), so B loads of neighbouring lanes hit neighbouring addresses.
// No shared memory, no barriers: on llvmpipe they cost more than they save (see ANCHORS.md).
#extension GL_EXT_control_flow_attributes : require

// A kernel may define BM and BN itself (as specialization constants, for the tuner) before including this file.
#ifndef BM
#define BM 8
#endif
#ifndef BN
#define BN 8
#endif
#define WG_COLS (BN * 8)

// Scalar load from an r32f texel buffer: the branch-free gather path on llvmpipe.
#define LOAD(img, i) imageLoad(img, int(i)).x

// (a / b, a % b) without integer division, which llvmpipe scalarises lane by lane. Exact for
// 0 <= a < 2^23 (launchers check column counts): with Vulkan's 2.5-ulp division the float quotient is
// off by at most two, and two correction rounds fix that.
ivec2 divmod(int a, int b, float invb)
{
    int q = int(float(a) * invb);
    int r = a - q * b;
    [[unroll]] for (int round = 0; round < 2; round++)
    {
        if (r < 0) { q--; r += b; } else if (r >= b) { q++; r -= b; }
    }
    return ivec2(q, r);
}
