namespace VkResNet.Graph.Kernels;

/// <summary>
/// lavapipe (llvmpipe, Mesa 22.3 here) ends every loop of an invocation once the invocation has taken 65535 loop
/// back-edges in all (gallivm's loop limiter, LP_MAX_TGSI_LOOP_ITERATIONS), silently: a longer reduction returns a
/// partial sum. Measured on conv2d_backward_weight_cpu at 28x28, one image costs 841 back-edges (784 + 2 x 28 + 1):
/// 77 images came out right, 78 and more wrong in every element. Launchers whose invocations loop over the batch
/// split it into chunks under the budget, the later ones added in order (the same bits every run).
/// </summary>
internal static class LoopBudget
{
    /// <summary>Back-edges one invocation may take before llvmpipe cuts its loops.</summary>
    public const long BackEdges = 65535;

    // What the loop counts of the launchers leave out (the compiler's own loop bookkeeping): 3 an image, 1024 in all.
    // 77 images of 28x28 (841 counted each) fit; 796 images of 9x7 (82 counted each) did not.
    const long ImageSlack = 3, Slack = 1024;

    /// <summary>Images of <paramref name="perImage"/> counted back-edges each that one invocation may loop over.</summary>
    public static long ImagesThatFit(long perImage) => (BackEdges - Slack) / (perImage + ImageSlack);

    /// <summary>
    /// Images per chunk when one image costs <paramref name="perImage"/> back-edges: as many as fit the budget, rounded
    /// down to a multiple that keeps every chunk of <paramref name="imageBytes"/> at <paramref name="alignBytes"/>
    /// (texel-buffer offsets). At least that multiple, and the whole batch when it fits.
    /// </summary>
    public static int Images(int n, long perImage, long alignBytes, params long[] imageBytes)
    {
        long step = 1;
        foreach (long b in imageBytes) step = Lcm(step, alignBytes / Gcd(alignBytes, b));
        long fit = ImagesThatFit(perImage);
        if (fit >= n) return n;
        return (int)Math.Max(step, fit / step * step);
    }

    static long Gcd(long a, long b) => b == 0 ? a : Gcd(b, a % b);
    static long Lcm(long a, long b) => a / Gcd(a, b) * b;
}
