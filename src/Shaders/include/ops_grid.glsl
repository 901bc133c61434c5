// Flat indices for 1-D work laid out on a 2-D dispatch grid: launchers split a large group count
// into (gx, gy) with gx <= 65535 (the portable limit), so shaders flatten it back here.
#ifndef OPS_GRID_GLSL
#define OPS_GRID_GLSL

uint flat_group_id()
{
    return gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
}

uint flat_invocation_id()
{
    return flat_group_id() * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
}

#endif
