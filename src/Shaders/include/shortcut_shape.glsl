// Push constants shared by shortcut_zeropad_forward/backward (mirrored by ShortcutZeroPadPush in C#).
// y[n, co, oh, ow] = x[n, co - pad_front, oh*stride, ow*stride] for 0 <= co - pad_front < Cin, else 0;
// Ho = ceil(H / stride), Wo = ceil(W / stride) (x[:, :, ::s, ::s]).
#ifndef SHORTCUT_SHAPE_GLSL
#define SHORTCUT_SHAPE_GLSL

layout(push_constant) uniform Push
{
    uint batch;
    uint cin;
    uint h;
    uint w;
    uint cout;
    uint ho;
    uint wo;
    uint stride;
    uint pad_front;
} p;

#endif
