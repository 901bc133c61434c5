// Stride phases of the transposed convolution (backward input). Input rows iy with (iy + PH) % SH == ry
// receive gradient only from kernel rows ky = ry + SH*u, from output row oy = cy + t - u where
// iy = iyFirst + SH*t. Splitting dx into SH*SW phases makes the valid taps uniform per workgroup:
// no divisibility test per element and no multiply by structural zeros.
struct ConvPhase
{
    int iyFirst, ixFirst;   // first input row / column of this phase
    int hp, wp;             // rows / columns of the phase
    int cy, cx;             // output row / column offset: oy = cy + t - u
    int khp, kwp;           // taps of the phase: ky = ry + SH*u, u < khp
    int ry, rx;
};

ConvPhase convPhase(int z, int H, int W, int KH, int KW, int SH, int SW, int PH, int PW)
{
    ConvPhase f;
    f.ry = z / SW;
    f.rx = z - f.ry * SW;
    f.iyFirst = ((f.ry - PH) % SH + SH) % SH;
    f.ixFirst = ((f.rx - PW) % SW + SW) % SW;
    f.hp = f.iyFirst < H ? (H - f.iyFirst + SH - 1) / SH : 0;
    f.wp = f.ixFirst < W ? (W - f.ixFirst + SW - 1) / SW : 0;
    f.cy = (f.iyFirst + PH - f.ry) / SH;
    f.cx = (f.ixFirst + PW - f.rx) / SW;
    f.khp = f.ry < KH ? (KH - f.ry + SH - 1) / SH : 0;
    f.kwp = f.rx < KW ? (KW - f.rx + SW - 1) / SW : 0;
    return f;
}
