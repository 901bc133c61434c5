using VkResNet.Graph.Autodiff;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Ops;
using VkResNet.Graph.Optimize;

namespace VkResNet.Graph.Models;

public enum ResNetMode { Train, Infer }

public sealed record ResNetBuildOptions(
    float LabelSmoothing = 0f,
    SgdOptions? Sgd = null,               // training: null means PyTorch-style defaults
    bool FuseBnAddRelu = false,           // training: end each residual block with one BnAddRelu pass
    bool OptimizeInference = true,        // inference: fold BN and fuse conv epilogues
    int SyncBatchNormRanks = 0);          // training: above 0, BN as SyncBatchNorm's split passes over this many ranks' batches

/// <summary>A built model: its graph and the tensors a trainer or viewer talks to.</summary>
public sealed record ResNetModel(
    ResNetSpec Spec, int Batch, ResNetMode Mode, FrameGraph Graph,
    Tensor Input, Tensor Logits, Tensor? Labels, Tensor? Loss, Tensor? LearningRate,
    IReadOnlyDictionary<Tensor, Tensor> Gradients, IReadOnlyList<string> Stages);

/// <summary>
/// Builds ResNets with torchvision's parameter names (conv1, bn1, layerK.i.convJ/bnJ, layerK.i.downsample.0/1,
/// fc), so imported weights fit. Stage outputs are tensors named stem, pool, layer1..layer4, avgpool, logits.
/// </summary>
public static class ResNetBuilder
{
    public static ResNetModel Build(ResNetSpec spec, int batch, ResNetMode mode, ResNetBuildOptions? options = null)
    {
        options ??= new ResNetBuildOptions();
        var g = new GraphBuilder { SyncBatchNormRanks = mode == ResNetMode.Train ? options.SyncBatchNormRanks : 0 };
        var bnMode = mode == ResNetMode.Train ? BatchNormMode.Train : BatchNormMode.Infer;
        var stages = new List<string>();
        var x = g.Input("input", TensorShape.Nchw(batch, spec.InputChannels, spec.InputHeight, spec.InputWidth));

        g.Stage = "stem";
        x = spec.ImageNetStem ? g.Conv2d("conv1", x, spec.Widths[0], 7, 2, 3) : g.Conv2d("conv1", x, spec.Widths[0], 3, 1, 1);
        x = g.BatchNorm("bn1", x, bnMode);
        x = g.Relu("relu", x, output: "stem");
        stages.Add("stem");
        if (spec.ImageNetStem)
        {
            g.Stage = "pool";
            x = g.MaxPool("maxpool", x, 3, 2, 1, output: "pool");
            stages.Add("pool");
        }

        int inplanes = spec.Widths[0];
        bool fuse = options.FuseBnAddRelu && mode == ResNetMode.Train;
        for (int s = 0; s < spec.Layers.Count; s++)
        {
            string stage = $"layer{s + 1}";
            g.Stage = stage;
            for (int i = 0; i < spec.Layers[s]; i++)
            {
                int stride = s > 0 && i == 0 ? 2 : 1;
                string output = i == spec.Layers[s] - 1 ? stage : $"{stage}.{i}";
                x = spec.Block == BlockKind.Basic
                    ? BasicBlock(g, spec, $"{stage}.{i}", x, inplanes, spec.Widths[s], stride, bnMode, fuse, output)
                    : Bottleneck(g, spec, $"{stage}.{i}", x, inplanes, spec.Widths[s], stride, bnMode, fuse, output);
                inplanes = spec.Widths[s] * spec.Expansion;
            }
            stages.Add(stage);
        }

        g.Stage = "avgpool";
        x = g.GlobalAvgPool("avgpool", x, output: "avgpool");
        stages.Add("avgpool");
        g.Stage = "logits";
        var logits = g.Linear("fc", x, spec.Classes, output: "logits");
        stages.Add("logits");

        if (mode == ResNetMode.Infer)
        {
            g.MarkOutput(logits);
            if (options.OptimizeInference)
                InferenceOptimizer.Run(g.Graph);
            return new ResNetModel(spec, batch, mode, g.Graph, g.Graph["input"], logits, null, null, null,
                                   new Dictionary<Tensor, Tensor>(), stages);
        }

        g.Stage = "loss";
        var labels = g.Labels("labels", batch);
        var loss = g.SoftmaxCrossEntropy("loss", logits, labels, options.LabelSmoothing);
        var grads = AutodiffPass.AppendBackward(g, loss);
        var lr = SgdOptimizer.AppendSgd(g, grads, options.Sgd ?? new SgdOptions());
        return new ResNetModel(spec, batch, mode, g.Graph, g.Graph["input"], logits, labels, loss, lr, grads, stages);
    }

    static Tensor BasicBlock(GraphBuilder g, ResNetSpec spec, string p, Tensor x, int inplanes, int planes, int stride,
                             BatchNormMode bn, bool fuse, string output)
    {
        var y = g.Conv2d($"{p}.conv1", x, planes, 3, stride, 1);
        y = g.BatchNorm($"{p}.bn1", y, bn);
        y = g.Relu($"{p}.relu1", y);
        y = g.Conv2d($"{p}.conv2", y, planes, 3, 1, 1);
        return BlockEnd(g, spec, p, x, y, $"{p}.bn2", inplanes, planes, stride, bn, fuse, output);
    }

    static Tensor Bottleneck(GraphBuilder g, ResNetSpec spec, string p, Tensor x, int inplanes, int planes, int stride,
                             BatchNormMode bn, bool fuse, string output)
    {
        int s1 = spec.StrideOnFirst1x1 ? stride : 1, s3 = spec.StrideOnFirst1x1 ? 1 : stride;
        var y = g.Conv2d($"{p}.conv1", x, planes, 1, s1, 0);
        y = g.BatchNorm($"{p}.bn1", y, bn);
        y = g.Relu($"{p}.relu1", y);
        y = g.Conv2d($"{p}.conv2", y, planes, 3, s3, 1);
        y = g.BatchNorm($"{p}.bn2", y, bn);
        y = g.Relu($"{p}.relu2", y);
        y = g.Conv2d($"{p}.conv3", y, planes * 4, 1, 1, 0);
        return BlockEnd(g, spec, p, x, y, $"{p}.bn3", inplanes, planes * 4, stride, bn, fuse, output);
    }

    /// <summary>Last BN, the shortcut (built after the branch, as torchvision's forward), add and ReLU.</summary>
    static Tensor BlockEnd(GraphBuilder g, ResNetSpec spec, string p, Tensor x, Tensor y, string bnName,
                           int inplanes, int outplanes, int stride, BatchNormMode bn, bool fuse, string output)
    {
        if (spec.Plain)
            return g.Relu($"{p}.relu", g.BatchNorm(bnName, y, bn), output: output);

        bool grows = stride != 1 || inplanes != outplanes;
        var branch = fuse ? y : g.BatchNorm(bnName, y, bn); // fused: the BN runs inside BnAddRelu below
        Tensor shortcut = x;
        if (spec.Shortcut == ShortcutOption.C || (grows && spec.Shortcut == ShortcutOption.B))
        {
            shortcut = g.Conv2d($"{p}.downsample.0", x, outplanes, 1, stride, 0);
            shortcut = g.BatchNorm($"{p}.downsample.1", shortcut, bn);
        }
        else if (grows)
            shortcut = g.ShortcutZeroPad($"{p}.shortcut", x, outplanes, stride);
        if (fuse)
            return g.BnAddRelu(bnName, branch, shortcut, output: output);
        var sum = g.Add($"{p}.add", branch, shortcut);
        return g.Relu($"{p}.relu", sum, output: output);
    }
}
