// Per-phase weight blocks of the stride-phase backward-input form (conv2d_backward_input_phase_cpu): phase z
// holds Cin rows of Kp = roundup(Cout*khp*kwp, 4) taps, k = (co*khp + u)*kwp + v, padded with zeros; the blocks of
// phases 0..SH*SW-1 follow one another (empty phases take none). Mirrored by Conv2dPhaseBackwardInput.ScratchBytes.
// Needs conv2d_params.glsl (p) and conv2d_phase.glsl.

int phaseRowLength(ConvPhase f) { return (p.Cout * f.khp * f.kwp + 3) & ~3; }

// Float offset of phase z's block: the sum of the blocks before it.
int phaseBlockOffset(int z)
{
    int offset = 0;
    for (int q = 0; q < z; q++)
        offset += p.Cin * phaseRowLength(convPhase(q, p.H, p.W, p.KH, p.KW, p.SH, p.SW, p.PH, p.PW));
    return offset;
}
