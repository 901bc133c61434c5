using VkResNet.Graph.Compiler;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Ops;

namespace VkResNet.Graph.Checking;

/// <summary>
/// Runs a compiled plan on the CPU in double precision, with every tensor at its planned offset inside
/// its resource (one double per 4 bytes). Transients therefore really share the arena, so a wrong
/// aliasing plan corrupts results; the arena starts as NaN so reading a never-written byte shows up.
/// Plain loops in the op semantics of the kernel headers. The autodiff finite-difference tests use it, and
/// VKRESNET_CHECK=1 runs each pass through it to check the GPU's result (<see cref="Execution.CompiledGraph"/>).
/// </summary>
public sealed class PlanInterpreter
{
    readonly FrameGraph graph;
    readonly GraphPlan plan;

    public PlanInterpreter(FrameGraph graph, GraphPlan plan)
    {
        this.graph = graph;
        this.plan = plan;
        Memory = plan.Resources.Select(r => new double[r.Bytes / 4]).ToArray();
        Array.Fill(Memory[GraphPlan.ArenaResource], double.NaN);
    }

    public double[][] Memory { get; }

    public Span<double> this[Tensor t]
    {
        get
        {
            var p = plan.Placement(t.Id);
            return Memory[p.Resource].AsSpan((int)(p.Offset / 4), (int)t.Shape.ElementCount);
        }
    }

    public Span<double> this[string name] => this[graph[name]];

    /// <summary>Runs the passes in plan order, skipping the phases not asked for.</summary>
    public void Run(bool optimizer = true)
    {
        Array.Fill(Memory[GraphPlan.ArenaResource], double.NaN);
        foreach (var pass in plan.Passes)
            if (optimizer || pass.Phase != OpPhase.Optimizer)
                Execute(graph.Ops[pass.OpIndex]);
    }

    /// <summary>Runs one op on the current memory (its inputs as they are, its outputs overwritten or accumulated).</summary>
    public void Execute(Op op)
    {
        switch (op)
        {
            case Conv2dOp c: ConvForward(c.X, c.Weight, c.Bias, null, c.Y, c.Stride, c.Pad, false); break;
            case ConvBiasReluAddOp c: ConvForward(c.X, c.Weight, c.Bias, c.Residual, c.Y, c.Stride, c.Pad, c.Relu); break;
            case Conv2dBackwardInputOp c: ConvBackwardInput(c); break;
            case Conv2dBackwardWeightOp c: ConvBackwardWeight(c); break;
            case BatchNormOp b when b.Mode == BatchNormMode.Train:
                BnTrain(b.X, null, b.Gamma, b.Beta, b.Y, b.SavedMean!, b.SavedInvStd!, b.RunningMean, b.RunningVar, b.Eps, b.Momentum, false); break;
            case BatchNormOp b: BnInfer(b); break;
            case BnAddReluOp b:
                BnTrain(b.X, b.Residual, b.Gamma, b.Beta, b.Y, b.SavedMean, b.SavedInvStd, b.RunningMean, b.RunningVar, b.Eps, b.Momentum, true); break;
            case BatchNormBackwardOp b: BnBackward(b.Dy, null, b.X, b.Gamma, b.SavedMean, b.SavedInvStd, b.Dx, null, b.Dgamma, b.Dbeta); break;
            case BnAddReluBackwardOp b: BnBackward(b.Dy, b.Y, b.X, b.Gamma, b.SavedMean, b.SavedInvStd, b.Dx, b.Dresidual, b.Dgamma, b.Dbeta); break;
            case ReluOp r: Map(r.X, r.Y, v => Math.Max(v, 0)); break;
            case ReluBackwardOp r: { var dy = this[r.Dy]; var y = this[r.Y]; var dx = this[r.Dx]; for (int i = 0; i < dx.Length; i++) dx[i] = y[i] > 0 ? dy[i] : 0; break; }
            case MaxPoolOp m: MaxPool(m); break;
            case MaxPoolBackwardOp m: MaxPoolBackward(m); break;
            case GlobalAvgPoolOp g: GapForward(g); break;
            case GlobalAvgPoolBackwardOp g: GapBackward(g); break;
            case AddOp a: { var x = this[a.A]; var y = this[a.B]; var o = this[a.Y]; for (int i = 0; i < o.Length; i++) o[i] = x[i] + y[i]; break; }
            case AccumulateOp a: { var x = this[a.X]; var y = this[a.Y]; for (int i = 0; i < y.Length; i++) y[i] += x[i]; break; }
            case ShortcutZeroPadOp s: ZeroPad(s.X, s.Y, s.Stride, s.PadFront, backward: false); break;
            case ShortcutZeroPadBackwardOp s: ZeroPad(s.Dx, s.Dy, s.Stride, s.PadFront, backward: true); break;
            case LinearOp l: LinearForward(l); break;
            case LinearBackwardInputOp l: LinearBackwardInput(l); break;
            case LinearBackwardWeightOp l: LinearBackwardWeight(l); break;
            case SoftmaxCrossEntropyOp s: SoftmaxCe(s.Logits, s.Labels, s.LabelSmoothing, s.Result, null); break;
            case SoftmaxCrossEntropyBackwardOp s: SoftmaxCe(s.Logits, s.Labels, s.LabelSmoothing, null, s.Dlogits); break;
            case SgdUpdateOp s: Sgd(s); break;
            default: throw new NotSupportedException($"The interpreter has no rule for {op}.");
        }
    }

    void Map(Tensor x, Tensor y, Func<double, double> f)
    {
        var a = this[x]; var b = this[y];
        for (int i = 0; i < b.Length; i++) b[i] = f(a[i]);
    }

    void ConvForward(Tensor xt, Tensor wt, Tensor? bt, Tensor? rt, Tensor yt, int stride, int pad, bool relu)
    {
        var s = xt.Shape; var ys = yt.Shape; var ws = wt.Shape;
        int N = s.N, C = s.C, H = s.H, W = s.W, OC = ys.C, OH = ys.H, OW = ys.W;
        var x = this[xt]; var w = this[wt]; var y = this[yt];
        Span<double> b = bt is null ? default : this[bt];
        Span<double> r = rt is null ? default : this[rt];
        int kh = ws[2], kw = ws[3];
        for (int n = 0; n < N; n++)
            for (int o = 0; o < OC; o++)
                for (int oh = 0; oh < OH; oh++)
                    for (int ow = 0; ow < OW; ow++)
                    {
                        double acc = bt is null ? 0 : b[o];
                        for (int c = 0; c < C; c++)
                            for (int i = 0; i < kh; i++)
                            {
                                int ih = oh * stride - pad + i;
                                if (ih < 0 || ih >= H) continue;
                                for (int j = 0; j < kw; j++)
                                {
                                    int iw = ow * stride - pad + j;
                                    if (iw < 0 || iw >= W) continue;
                                    acc += x[((n * C + c) * H + ih) * W + iw] * w[((o * C + c) * kh + i) * kw + j];
                                }
                            }
                        int at = ((n * OC + o) * OH + oh) * OW + ow;
                        if (rt is not null) acc += r[at];
                        y[at] = relu ? Math.Max(acc, 0) : acc;
                    }
    }

    void ConvBackwardInput(Conv2dBackwardInputOp op)
    {
        var s = op.Dx.Shape; var ys = op.Dy.Shape; var ws = op.Weight.Shape;
        int N = s.N, C = s.C, H = s.H, W = s.W, OC = ys.C, OH = ys.H, OW = ys.W;
        int stride = op.Stride, pad = op.Pad;
        var dx = this[op.Dx]; var w = this[op.Weight]; var dy = this[op.Dy];
        dx.Clear();
        int kh = ws[2], kw = ws[3];
        for (int n = 0; n < N; n++)
            for (int o = 0; o < OC; o++)
                for (int oh = 0; oh < OH; oh++)
                    for (int ow = 0; ow < OW; ow++)
                    {
                        double g = dy[((n * OC + o) * OH + oh) * OW + ow];
                        for (int c = 0; c < C; c++)
                            for (int i = 0; i < kh; i++)
                            {
                                int ih = oh * stride - pad + i;
                                if (ih < 0 || ih >= H) continue;
                                for (int j = 0; j < kw; j++)
                                {
                                    int iw = ow * stride - pad + j;
                                    if (iw < 0 || iw >= W) continue;
                                    dx[((n * C + c) * H + ih) * W + iw] += g * w[((o * C + c) * kh + i) * kw + j];
                                }
                            }
                    }
    }

    void ConvBackwardWeight(Conv2dBackwardWeightOp op)
    {
        var s = op.X.Shape; var ys = op.Dy.Shape; var ws = op.Dw.Shape;
        int N = s.N, C = s.C, H = s.H, W = s.W, OC = ys.C, OH = ys.H, OW = ys.W;
        int stride = op.Stride, pad = op.Pad;
        var x = this[op.X]; var dw = this[op.Dw]; var dy = this[op.Dy];
        Span<double> db = op.Db is null ? default : this[op.Db];
        dw.Clear();
        db.Clear();
        int kh = ws[2], kw = ws[3];
        for (int n = 0; n < N; n++)
            for (int o = 0; o < OC; o++)
                for (int oh = 0; oh < OH; oh++)
                    for (int ow = 0; ow < OW; ow++)
                    {
                        double g = dy[((n * OC + o) * OH + oh) * OW + ow];
                        if (op.Db is not null) db[o] += g;
                        for (int c = 0; c < C; c++)
                            for (int i = 0; i < kh; i++)
                            {
                                int ih = oh * stride - pad + i;
                                if (ih < 0 || ih >= H) continue;
                                for (int j = 0; j < kw; j++)
                                {
                                    int iw = ow * stride - pad + j;
                                    if (iw < 0 || iw >= W) continue;
                                    dw[((o * C + c) * kh + i) * kw + j] += g * x[((n * C + c) * H + ih) * W + iw];
                                }
                            }
                    }
    }

    void BnTrain(Tensor xt, Tensor? rt, Tensor gt, Tensor bt, Tensor yt, Tensor mt, Tensor it, Tensor rmt, Tensor rvt,
                 double eps, double momentum, bool addRelu)
    {
        var s = xt.Shape;
        var x = this[xt]; var y = this[yt]; var gamma = this[gt]; var beta = this[bt];
        var mean = this[mt]; var inv = this[it]; var rm = this[rmt]; var rv = this[rvt];
        Span<double> r = rt is null ? default : this[rt];
        int hw = s.H * s.W, m = s.N * hw;
        for (int c = 0; c < s.C; c++)
        {
            double sum = 0;
            for (int n = 0; n < s.N; n++) for (int k = 0; k < hw; k++) sum += x[(n * s.C + c) * hw + k];
            double mu = sum / m, sq = 0;
            for (int n = 0; n < s.N; n++) for (int k = 0; k < hw; k++) { double d = x[(n * s.C + c) * hw + k] - mu; sq += d * d; }
            double var = sq / m, invstd = 1 / Math.Sqrt(var + eps);
            mean[c] = mu; inv[c] = invstd;
            rm[c] = (1 - momentum) * rm[c] + momentum * mu;
            rv[c] = (1 - momentum) * rv[c] + momentum * (m > 1 ? sq / (m - 1) : var);
            for (int n = 0; n < s.N; n++)
                for (int k = 0; k < hw; k++)
                {
                    int i = (n * s.C + c) * hw + k;
                    double v = gamma[c] * (x[i] - mu) * invstd + beta[c];
                    y[i] = addRelu ? Math.Max(v + r[i], 0) : v;
                }
        }
    }

    void BnInfer(BatchNormOp b)
    {
        var s = b.X.Shape;
        var x = this[b.X]; var y = this[b.Y]; var gamma = this[b.Gamma]; var beta = this[b.Beta];
        var rm = this[b.RunningMean]; var rv = this[b.RunningVar];
        int hw = s.H * s.W;
        for (int i = 0; i < x.Length; i++)
        {
            int c = i / hw % s.C;
            y[i] = (x[i] - rm[c]) / Math.Sqrt(rv[c] + b.Eps) * gamma[c] + beta[c];
        }
    }

    void BnBackward(Tensor dyt, Tensor? yt, Tensor xt, Tensor gt, Tensor mt, Tensor it, Tensor dxt, Tensor? drt, Tensor dgt, Tensor dbt)
    {
        var s = xt.Shape;
        var x = this[xt]; var dyIn = this[dyt]; var gamma = this[gt]; var mean = this[mt]; var inv = this[it];
        var dx = this[dxt]; var dg = this[dgt]; var db = this[dbt];
        var dy = new double[dyIn.Length];
        if (yt is null)
            dyIn.CopyTo(dy);
        else
        {
            var y = this[yt]; var dr = this[drt!];
            for (int i = 0; i < dy.Length; i++) dr[i] = dy[i] = y[i] > 0 ? dyIn[i] : 0;
        }
        int hw = s.H * s.W, m = s.N * hw;
        for (int c = 0; c < s.C; c++)
        {
            double sdy = 0, sdyx = 0;
            for (int n = 0; n < s.N; n++)
                for (int k = 0; k < hw; k++)
                {
                    int i = (n * s.C + c) * hw + k;
                    sdy += dy[i];
                    sdyx += dy[i] * (x[i] - mean[c]) * inv[c];
                }
            dg[c] = sdyx; db[c] = sdy;
            for (int n = 0; n < s.N; n++)
                for (int k = 0; k < hw; k++)
                {
                    int i = (n * s.C + c) * hw + k;
                    double xhat = (x[i] - mean[c]) * inv[c];
                    dx[i] = gamma[c] * inv[c] / m * (m * dy[i] - sdy - xhat * sdyx);
                }
        }
    }

    void MaxPool(MaxPoolOp op)
    {
        var s = op.X.Shape; var ys = op.Y.Shape;
        var x = this[op.X]; var y = this[op.Y]; var idx = this[op.Indices];
        for (int p = 0; p < s.N * s.C; p++)
            for (int oh = 0; oh < ys.H; oh++)
                for (int ow = 0; ow < ys.W; ow++)
                {
                    double best = double.NegativeInfinity; int arg = -1;
                    for (int i = 0; i < op.Kernel; i++)
                        for (int j = 0; j < op.Kernel; j++)
                        {
                            int ih = oh * op.Stride - op.Pad + i, iw = ow * op.Stride - op.Pad + j;
                            if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) continue;
                            double v = x[p * s.H * s.W + ih * s.W + iw];
                            if (v > best) { best = v; arg = ih * s.W + iw; }
                        }
                    int o = (p * ys.H + oh) * ys.W + ow;
                    y[o] = best; idx[o] = arg;
                }
    }

    void MaxPoolBackward(MaxPoolBackwardOp op)
    {
        var s = op.Dx.Shape; var ys = op.Dy.Shape;
        var dx = this[op.Dx]; var dy = this[op.Dy]; var idx = this[op.Indices];
        dx.Clear();
        int plane = ys.H * ys.W;
        for (int o = 0; o < dy.Length; o++)
            dx[o / plane * s.H * s.W + (int)idx[o]] += dy[o];
    }

    void GapForward(GlobalAvgPoolOp op)
    {
        var x = this[op.X]; var y = this[op.Y]; int hw = op.X.Shape.H * op.X.Shape.W;
        for (int p = 0; p < y.Length; p++) { double sum = 0; for (int k = 0; k < hw; k++) sum += x[p * hw + k]; y[p] = sum / hw; }
    }

    void GapBackward(GlobalAvgPoolBackwardOp op)
    {
        var dx = this[op.Dx]; var dy = this[op.Dy]; int hw = op.Dx.Shape.H * op.Dx.Shape.W;
        for (int i = 0; i < dx.Length; i++) dx[i] = dy[i / hw] / hw;
    }

    // Forward: y = pad(subsample(x)); backward (x := dx, y := dy): dx = the matching dy entries, else 0.
    void ZeroPad(Tensor xt, Tensor yt, int stride, int padFront, bool backward)
    {
        var xs = xt.Shape; var ys = yt.Shape;
        var x = this[xt]; var y = this[yt];
        if (backward) x.Clear(); else y.Clear();
        for (int n = 0; n < xs.N; n++)
            for (int c = 0; c < xs.C; c++)
                for (int oh = 0; oh < ys.H; oh++)
                    for (int ow = 0; ow < ys.W; ow++)
                    {
                        int xi = ((n * xs.C + c) * xs.H + oh * stride) * xs.W + ow * stride;
                        int yi = ((n * ys.C + c + padFront) * ys.H + oh) * ys.W + ow;
                        if (backward) x[xi] = y[yi]; else y[yi] = x[xi];
                    }
    }

    void LinearForward(LinearOp l)
    {
        var x = this[l.X]; var w = this[l.Weight]; var y = this[l.Y];
        Span<double> b = l.Bias is null ? default : this[l.Bias];
        for (int n = 0; n < l.Batch; n++)
            for (int o = 0; o < l.OutFeatures; o++)
            {
                double acc = l.Bias is null ? 0 : b[o];
                for (int i = 0; i < l.InFeatures; i++) acc += x[n * l.InFeatures + i] * w[o * l.InFeatures + i];
                y[n * l.OutFeatures + o] = acc;
            }
    }

    void LinearBackwardInput(LinearBackwardInputOp l)
    {
        var dy = this[l.Dy]; var w = this[l.Weight]; var dx = this[l.Dx];
        int batch = l.Dy.Shape[0], outF = l.Weight.Shape[0], inF = l.Weight.Shape[1];
        for (int n = 0; n < batch; n++)
            for (int i = 0; i < inF; i++)
            {
                double acc = 0;
                for (int o = 0; o < outF; o++) acc += dy[n * outF + o] * w[o * inF + i];
                dx[n * inF + i] = acc;
            }
    }

    void LinearBackwardWeight(LinearBackwardWeightOp l)
    {
        var dy = this[l.Dy]; var x = this[l.X]; var dw = this[l.Dw];
        Span<double> db = l.Db is null ? default : this[l.Db];
        int batch = l.Dy.Shape[0], outF = l.Dw.Shape[0], inF = l.Dw.Shape[1];
        for (int o = 0; o < outF; o++)
        {
            double bsum = 0;
            for (int n = 0; n < batch; n++) bsum += dy[n * outF + o];
            if (l.Db is not null) db[o] = bsum;
            for (int i = 0; i < inF; i++)
            {
                double acc = 0;
                for (int n = 0; n < batch; n++) acc += dy[n * outF + o] * x[n * inF + i];
                dw[o * inF + i] = acc;
            }
        }
    }

    void SoftmaxCe(Tensor logitsT, Tensor labelsT, double smoothing, Tensor? resultT, Tensor? dT)
    {
        var z = this[logitsT]; var labels = this[labelsT];
        int batch = logitsT.Shape[0], k = logitsT.Shape[1];
        Span<double> d = dT is null ? default : this[dT];
        double loss = 0, correct = 0;
        for (int n = 0; n < batch; n++)
        {
            var row = z.Slice(n * k, k);
            double m = double.NegativeInfinity; int arg = 0;
            for (int j = 0; j < k; j++) if (row[j] > m) { m = row[j]; arg = j; }
            double se = 0;
            for (int j = 0; j < k; j++) se += Math.Exp(row[j] - m);
            double lse = m + Math.Log(se);
            int label = (int)labels[n];
            for (int j = 0; j < k; j++)
            {
                double t = (j == label ? 1 - smoothing : 0) + smoothing / k;
                loss += t * (lse - row[j]);
                if (dT is not null) d[n * k + j] = (Math.Exp(row[j] - lse) - t) / batch;
            }
            if (arg == label) correct++;
        }
        if (resultT is not null)
        {
            var r = this[resultT];
            r[0] = loss / batch; r[1] = correct;
        }
    }

    void Sgd(SgdUpdateOp s)
    {
        var w = this[s.Weight]; var g = this[s.Grad]; var v = this[s.Velocity]; double lr = this[s.LearningRate][0];
        for (int i = 0; i < w.Length; i++)
        {
            double d = g[i] + s.WeightDecay * w[i];
            v[i] = s.Momentum * v[i] + d;
            w[i] -= lr * (s.Nesterov ? d + s.Momentum * v[i] : v[i]);
        }
    }
}
