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

// SHUFFLE_ROWS (the _shuffle_cpu kernels, over the same body as their plain twins): the rows' operand, the same for
// the workgroup's 8 lanes, is loaded once across them, subgroup lane l taking rows l, l+8, ..., and every row is
// shuffled from the lane that loaded it. lavapipe gathers a uniform texel once per lane (its texel fetches do not
// detect uniform indices), so this turns BM gathers into ceil(BM/8). Needs subgroup shuffles in compute, the
// workgroup's 8 invocations in one subgroup, and every lane through the k loop (none leaves it early).
#ifdef SHUFFLE_ROWS
#extension GL_KHR_shader_subgroup_shuffle : require
#define ROW_LOADS ((BM + 7) / 8)
// The row of the block this lane loads for its load j (rows past BM repeat the last).
int laneRow(int j) { return min(8 * j + int(gl_SubgroupInvocationID), BM - 1); }
// Row i of the block, from the lane that loaded it (v: this lane's ROW_LOADS loads).
#define SHARED_ROW(v, i) subgroupShuffle(v[(i) >> 3], uint((i) & 7))
#endif
