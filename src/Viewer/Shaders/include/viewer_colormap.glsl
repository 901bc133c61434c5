// Viridis (matplotlib's perceptually uniform colormap) as 11 control points at t = 0, 0.1, .., 1
// (matplotlib's viridis(linspace(0, 1, 11)) rounded to 8 bits), linearly interpolated.
#ifndef VIEWER_COLORMAP_GLSL
#define VIEWER_COLORMAP_GLSL
const vec3 VIRIDIS[11] = vec3[11](
    vec3(68, 1, 84), vec3(72, 36, 117), vec3(65, 68, 135), vec3(53, 95, 141), vec3(42, 120, 142),
    vec3(33, 145, 140), vec3(34, 168, 132), vec3(68, 191, 112), vec3(122, 209, 81), vec3(189, 223, 38),
    vec3(253, 231, 37));

// t in [0, 1] (clamped) -> 8-bit sRGB colour.
vec3 viridis(float t) {
    float x = clamp(t, 0.0, 1.0) * 10.0;
    int i = min(int(floor(x)), 9);
    return mix(VIRIDIS[i], VIRIDIS[i + 1], x - float(i));
}
#endif
