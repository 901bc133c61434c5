using VkResNet.Graph.Checking;
using VkResNet.Graph.Compiler;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Ops;
using VkResNet.Runtime;

namespace VkResNet.Graph.Execution;

/// <summary>
/// VKRESNET_CHECK=1 (or <see cref="CompileOptions.Check"/>): every <see cref="Run"/> runs the step pass by pass and
/// checks each pass against the CPU double-precision interpreter fed with exactly the device's inputs to that pass,
/// so a mismatch names the pass that made it, not a later one that inherited it. A debug switch for small graphs:
/// it downloads every resource before every pass, and the plain replay is untouched when it is off.
/// </summary>
public sealed partial class CompiledGraph
{
    /// <summary>The most FLOPs per step a check accepts (the CPU interpreter runs at well under 1 GFLOP/s).</summary>
    public const long CheckFlopBudget = 2_000_000_000;

    /// <summary>
    /// Tolerance of a checked element: |device - cpu| &lt;= CheckAbs * scale + CheckRel * |cpu|, where scale is the larger of
    /// the output tensor's largest |value| and 1% of the largest |value| the op reads (a reduction that cancels to near
    /// zero keeps the float32 rounding of its terms).
    /// </summary>
    public const double CheckAbs = 1e-4, CheckRel = 1e-3;

    readonly bool _checkEnabled;
    NodeChecker? _checker;

    /// <summary>True when <see cref="Run"/> checks every pass against the CPU reference.</summary>
    public bool Checking => _checkEnabled;

    /// <summary>Per-pass largest errors of the last checked <see cref="Run"/>; null when not checking.</summary>
    public IReadOnlyList<PassCheck>? LastCheck => _checker?.Last;

    /// <summary>Test hook: runs after the CPU reference of pass i, before the comparison (to plant a wrong value).</summary>
    internal Action<int, PlanInterpreter>? AfterReferencePass { get; set; }

    void RequireCheckable()
    {
        long flops = Plan.Passes.Sum(p => Graph.Ops[p.OpIndex].Flops);
        if (flops > CheckFlopBudget)
            throw new NodeCheckException(
                $"VKRESNET_CHECK=1 checks small graphs only: this step has {flops / 1e9:F2} GFLOP, over the {CheckFlopBudget / 1e9:F0} GFLOP " +
                "a CPU double-precision reference runs in reasonable time. Use a smaller model or batch, or unset VKRESNET_CHECK.");
    }

    void RunChecked() => (_checker ??= new NodeChecker(this)).Run();

    /// <summary>The check's own command lists (uploads, one per pass, readbacks), recorded once on the first checked run.</summary>
    sealed class NodeChecker : IDisposable
    {
        readonly CompiledGraph _g;
        readonly CommandList _upload, _readback;
        readonly CommandList[] _passes;
        readonly CommandRecorder[] _recorders;
        readonly PlanInterpreter _cpu;
        readonly PassCheck[] _last;

        public IReadOnlyList<PassCheck> Last => _last;

        public NodeChecker(CompiledGraph g)
        {
            _g = g;
            var slices = g.ResourceSlices;
            _upload = g.Device.CreateCommandList();
            _upload.Begin(reusable: true);
            g.RecordUploads(_upload, slices);
            _upload.End();

            _passes = new CommandList[g.Plan.Passes.Count];
            _recorders = new CommandRecorder[_passes.Length];
            for (int i = 0; i < _passes.Length; i++)
            {
                var cl = _passes[i] = g.Device.CreateCommandList();
                var rec = _recorders[i] = g.CreateRecorder(cl);
                cl.Begin(reusable: true);
                cl.Edge(PlanEdge.Submission); // each pass is its own submission: order it after everything before it
                rec.Pass(g.Graph.Ops[g.Plan.Passes[i].OpIndex], g.Plan.Passes[i]);
                cl.Edge(PlanEdge.Submission);
                cl.End();
            }

            _readback = g.Device.CreateCommandList();
            _readback.Begin(reusable: true);
            g.RecordReadbacks(_readback, slices);
            _readback.End();
            _cpu = new PlanInterpreter(g.Graph, g.Plan);
            _last = new PassCheck[_passes.Length];
        }

        public void Run()
        {
            _upload.Submit();
            _upload.Wait();
            for (int i = 0; i < _passes.Length; i++)
            {
                var op = _g.Graph.Ops[_g.Plan.Passes[i].OpIndex];
                LoadDeviceState(op);
                double inputScale = InputScale(op);
                _cpu.Execute(op);
                _g.AfterReferencePass?.Invoke(i, _cpu);
                _passes[i].Submit();
                _passes[i].Wait();
                _last[i] = Compare(i, op, inputScale);
            }
            _readback.Submit();
            _readback.Wait();
        }

        /// <summary>
        /// The interpreter's memory becomes the device's: every resource as float32, then the int32 tensors the op
        /// reads (labels, max-pool indices) as their integer values. Only those: the arena bytes of an int32 tensor that
        /// is not live may hold a float tensor now.
        /// </summary>
        void LoadDeviceState(Op op)
        {
            foreach (var r in _g.Plan.Resources)
            {
                var mem = _cpu.Memory[r.Index];
                var values = new float[mem.Length];
                if (values.Length > 0) _g.Device.Download(_g._resources[r.Index].Slice(0, values.Length * 4L), values.AsSpan());
                for (int i = 0; i < values.Length; i++) mem[i] = values[i];
            }
            foreach (var t in op.Inputs.Distinct().Where(t => t.ElementType == ElementType.Int32))
            {
                var mem = _cpu[t];
                for (int i = 0; i < mem.Length; i++) mem[i] = BitConverter.SingleToInt32Bits((float)mem[i]);
            }
        }

        double InputScale(Op op)
        {
            double scale = 0;
            foreach (var t in op.Inputs.Distinct().Where(t => t.ElementType == ElementType.Float32))
                foreach (double v in _cpu[t]) scale = Math.Max(scale, Math.Abs(v));
            return scale;
        }

        PassCheck Compare(int pass, Op op, double inputScale)
        {
            double worstAbs = 0, worstRel = 0;
            foreach (var t in op.Outputs.Distinct())
            {
                var expected = _cpu[t];
                var got = _g.Read(t);
                if (t.ElementType == ElementType.Int32)
                    for (int i = 0; i < got.Length; i++) got[i] = BitConverter.SingleToInt32Bits(got[i]);
                double scale = 0.01 * inputScale;
                foreach (double e in expected) scale = Math.Max(scale, Math.Abs(e));
                for (int i = 0; i < expected.Length; i++)
                {
                    double err = Math.Abs(got[i] - expected[i]);
                    worstAbs = Math.Max(worstAbs, err);
                    // Relative error where the reference stands above the absolute floor; below it (a sum that cancels to
                    // its terms' rounding, such as a batch norm's dx over two elements) only the absolute term means anything.
                    if (Math.Abs(expected[i]) > CheckAbs * scale) worstRel = Math.Max(worstRel, err / Math.Abs(expected[i]));
                    if (!(err <= CheckAbs * scale + CheckRel * Math.Abs(expected[i])))
                        throw new NodeCheckException(
                            $"VKRESNET_CHECK: pass {pass} ({op}) wrote {t.Name} {t.Shape}: element {i} is {got[i]:G7} on the device " +
                            $"and {expected[i]:G7} on the CPU reference (tolerance {CheckAbs:G2} x {scale:G3} + {CheckRel:G2} x |reference|).");
                }
            }
            return new PassCheck(pass, op.Name, op.Type, worstAbs, worstRel);
        }

        public void Dispose()
        {
            _upload.Dispose();
            _readback.Dispose();
            foreach (var r in _recorders) r?.Dispose();
            foreach (var cl in _passes) cl?.Dispose();
        }
    }
}

/// <summary>One checked pass: its largest absolute difference from the CPU reference, and its largest relative one over the
/// elements whose reference is above the check's absolute floor (<see cref="CompiledGraph.CheckAbs"/> x scale).</summary>
public sealed record PassCheck(int Pass, string Op, string Type, double MaxAbsError, double MaxRelError);

/// <summary>A pass whose device result differs from the CPU reference beyond the check's tolerance, or a graph too large to check.</summary>
public sealed class NodeCheckException(string message) : Exception(message);
