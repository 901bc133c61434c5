// Grid order of the _cpu conv kernels, a specialization constant so the tuner can try both: 1 (the default)
// puts channel blocks on x, which a CPU device walks fastest, so back-to-back workgroups share one pixel
// block's input in cache; 0 puts pixel blocks on x. gridRows()/gridColumns() give the block indices either way.
layout(constant_id = 0) const uint ROWS_ON_X = 1;
int gridRows() { return int(ROWS_ON_X != 0 ? gl_WorkGroupID.x : gl_WorkGroupID.y); }
int gridColumns() { return int(ROWS_ON_X != 0 ? gl_WorkGroupID.y : gl_WorkGroupID.x); }
