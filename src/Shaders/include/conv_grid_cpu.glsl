// Grid order of the _cpu conv kernels, a specialization constant so the tuner can try both: 1 (the default)
// puts channel blocks on x, which a CPU device walks fastest, so back-to-back workgroups share one pixel
// block's input in cache; 0 puts pixel blocks on x. gridRows()/gridColumns() give the block indices either way.
layout(constant_id = 0) const uint ROWS_ON_X = 1;
// Grouped order (constant 1, with ROWS_ON_X = 1; 0: off): the channel blocks are taken GROUP_ROWS at a time, and each
// group walks every pixel block with its channel blocks back to back, so a pixel block's input stays in cache across
// the group and the group's weights (GROUP_ROWS x 8 rows of K) across the pixel blocks. lavapipe hands each thread a
// contiguous run of workgroup indices (x fastest), so consecutive indices run on the same core. Conv2dGroupedGrid
// launches it; measured, it never won, so it is not in the tuner's table (bench/README.md, "Grouped grid order").
layout(constant_id = 1) const uint GROUP_ROWS = 0;
ivec2 gridBlock()   // (channel block, pixel block)
{
    if (ROWS_ON_X == 0) return ivec2(gl_WorkGroupID.y, gl_WorkGroupID.x);
    if (GROUP_ROWS == 0) return ivec2(gl_WorkGroupID.xy);
    uint rows = gl_NumWorkGroups.x, cols = gl_NumWorkGroups.y;
    uint l = gl_WorkGroupID.x + gl_WorkGroupID.y * rows;
    uint r0 = l / (GROUP_ROWS * cols) * GROUP_ROWS;   // first channel block of l's group
    uint inGroup = min(GROUP_ROWS, rows - r0);         // the last group may be partial
    uint within = l - r0 * cols;
    return ivec2(r0 + within % inGroup, within / inGroup);
}
int gridRows() { return gridBlock().x; }
int gridColumns() { return gridBlock().y; }
