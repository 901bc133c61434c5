// Per-phase weight blocks of the stride-phase backward-input form (conv2d_backward_input_phase_cpu): phase z
// holds Cin rows of Kp = roundup(Cout*khp*kwp, 4) taps, k = (co*khp + u)*kwp + v, padded with zeros; the blocks of
// phases 0..SH*SW-1 follow one another (empty phases take none). Mirrored by Conv2dPhaseBackwardInput.ScratchBytes.
// Needs cpu_block.glsl (divmod: llvmpipe scalarises integer division lane by lane) and conv2d_params.glsl (p).

// (ry, rx, khp, kwp) of phase z, as conv2d_phase.glsl's convPhase computes them.
ivec4 phaseTaps(int z)
{
    ivec2 r = divmod(z, p.SW, 1.0 / float(p.SW));
    int khp = r.x < p.KH ? divmod(p.KH - r.x + p.SH - 1, p.SH, 1.0 / float(p.SH)).x : 0;
    int kwp = r.y < p.KW ? divmod(p.KW - r.y + p.SW - 1, p.SW, 1.0 / float(p.SW)).x : 0;
    return ivec4(r.x, r.y, khp, kwp);
}

int phaseRowLength(ivec4 taps) { return (p.Cout * taps.z * taps.w + 3) & ~3; }

// Float offset of phase z's block: the sum of the blocks before it.
int phaseBlockOffset(int z)
{
    int offset = 0;
    for (int q = 0; q < z; q++) offset += p.Cin * phaseRowLength(phaseTaps(q));
    return offset;
}
