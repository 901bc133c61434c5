using VkResNet.Graph.Edge;
using VkResNet.Runtime;

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

    /// <summary>Lanes of a per-channel kernel's workgroup (WG_SIZE of batchnorm*.comp, bn_add_relu*.comp).</summary>
    public const int ChannelLanes = 64;

    /// <summary>
    /// Elements of one channel (N*H*W) that a per-channel kernel may walk on a CPU-type device: each of its
    /// <paramref name="passes"/> walks takes ceil(N*H*W / (<see cref="ChannelLanes"/> x <paramref name="perStep"/>))
    /// back-edges a lane, and the reductions' own loops fit in the slack.
    /// </summary>
    public static long ChannelElementsThatFit(int passes, int perStep) => (BackEdges - Slack) / passes * ChannelLanes * perStep;

    /// <summary>
    /// Throws a <see cref="UsageException"/> (a batch too large for this device: exit 2 at the CLI), naming the largest batch that fits, when one channel of <paramref name="s"/> is longer than a batch-norm
    /// kernel may walk on a CPU-type device (llvmpipe would cut its sums short, silently). Other kinds of device have
    /// no such limit and pass, as does no device (a recorder that only observes).
    /// </summary>
    public static void RequireChannelWalk(DeviceKind? kind, NchwShape s, int passes, int perStep, string op)
    {
        if (kind != DeviceKind.Cpu) return;
        long fit = ChannelElementsThatFit(passes, perStep), elements = (long)s.N * s.PlaneSize;
        if (elements <= fit) return;
        throw new UsageException(
            $"{op}: one channel of [{s.N}x{s.C}x{s.H}x{s.W}] has {elements} elements, more than a batch norm may reduce " +
            $"on a CPU-type Vulkan device ({fit}; llvmpipe ends an invocation's loops after {BackEdges} iterations and would " +
            $"return partial sums). Use a batch of at most {Math.Max(1, fit / s.PlaneSize)} at this size.");
    }

    static long Gcd(long a, long b) => b == 0 ? a : Gcd(b, a % b);
    static long Lcm(long a, long b) => a / Gcd(a, b) * b;
}
