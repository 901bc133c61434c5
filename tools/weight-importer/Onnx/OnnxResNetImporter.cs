using VkResNet.Graph.Models;
using VkResNet.Importer.ResNet;

namespace VkResNet.Importer.Onnx;

/// <summary>
/// Reads an ONNX ResNet by following its dataflow from the image input: stem conv (+BN) -> ReLU -> MaxPool,
/// residual blocks (2 or 3 conv units on the main path, identity or conv(+BN) shortcut, Add, ReLU), then
/// GlobalAveragePool -> Flatten/Reshape -> Gemm. Names come from the structure, not from initializer names
/// (an eval-mode torch.onnx.export folds BN into conv and names them onnx::Conv_NNN). Strides, pads, groups and
/// dilations are checked against torchvision's ResNet (stride on the 3x3 of a bottleneck). Where the exporter
/// folded BN, the conv bias is stored as an identity BN (weight 1, bias b, mean 0, var 1 - eps): exact at inference.
/// </summary>
public sealed class OnnxResNetImporter
{
    public const double Epsilon = 1e-5;
    public static readonly string[] SupportedOps =
        ["Conv", "BatchNormalization", "Relu", "MaxPool", "Add", "GlobalAveragePool", "Flatten", "Reshape", "Gemm", "Identity", "Constant"];

    private readonly OnnxModel _model;
    private readonly string _path;
    private readonly Dictionary<string, string> _alias = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OnnxTensor> _constants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<OnnxNode>> _consumers = new(StringComparer.Ordinal);
    private readonly WeightSet _out = new();
    private int _foldedUnits;
    private readonly List<string> _epsNotes = [];

    private sealed record ConvUnit(OnnxNode Conv, OnnxNode? Bn, string Output);
    private sealed record Block(List<ConvUnit> Main, ConvUnit? Shortcut, string Output);

    private OnnxResNetImporter(OnnxModel model, string path)
    {
        _model = model;
        _path = path;
    }

    public static WeightSet Read(string path)
    {
        var model = OnnxReader.Read(path);
        return new OnnxResNetImporter(model, path).Import();
    }

    private ImportException Error(string problem) => new($"{_path}: {problem}");

    private WeightSet Import()
    {
        OnnxGraph g = _model.Graph;
        foreach (OnnxNode n in g.Nodes)
        {
            if (n.Domain is not ("" or "ai.onnx") || !SupportedOps.Contains(n.OpType))
                throw Error($"node '{n.Label}' has op type {(n.Domain is "" or "ai.onnx" ? "" : n.Domain + ".")}{n.OpType}, which a VkResNet ResNet cannot express (supported: {string.Join(", ", SupportedOps)})");
        }
        foreach (OnnxNode n in g.Nodes)
        {
            if (n.OpType == "Identity") _alias[One(n.Outputs, n)] = One(n.Inputs, n);
            else if (n.OpType == "Constant")
                _constants[One(n.Outputs, n)] = n.Attributes.TryGetValue("value", out var a) && a.T != null ? a.T : throw Error($"Constant node '{n.Label}' has no tensor 'value'");
        }
        foreach (OnnxNode n in g.Nodes.Where(n => n.OpType is not ("Identity" or "Constant")))
            foreach (string input in n.Inputs.Where(i => i.Length > 0).Select(Resolve).Distinct())
                (_consumers.TryGetValue(input, out var list) ? list : _consumers[input] = []).Add(n);

        var images = g.Inputs.Where(i => !g.Initializers.ContainsKey(i)).ToList();
        if (images.Count != 1) throw Error($"has {images.Count} non-weight graph inputs ({string.Join(", ", images)}); a ResNet has one image input");

        // Stem: conv1 (+bn1) -> ReLU -> MaxPool.
        ConvUnit stem = ConvBn(Single(images[0], "Conv", "the image input"));
        OnnxNode relu = Single(stem.Output, "Relu", "conv1");
        OnnxNode pool = Single(Out(relu), "MaxPool", "the stem ReLU");
        CheckPool(pool);
        string x = Out(pool);

        var blocks = new List<Block>();
        while (!(Consumers(x) is [{ OpType: "GlobalAveragePool" }]))
        {
            Block b = ParseBlock(x, blocks.Count);
            blocks.Add(b);
            x = b.Output;
        }
        ResNetSpec arch = Classify(blocks);
        CheckConv(stem.Conv, 7, 2, "conv1");
        EmitConvBn(stem, "conv1", "bn1");
        EmitBlocks(arch, blocks);
        EmitHead(Consumers(x)[0], g);

        if (_foldedUnits > 0)
            _out.Notes.Add($"the ONNX graph has BatchNormalization folded into Conv ({_foldedUnits} convs; an eval-mode torch.onnx.export does this): " +
                           $"stored each folded conv bias as bnZ.bias with weight 1, running_mean 0, running_var 1 - {Epsilon} — exact for inference, " +
                           "but the original BN statistics are gone, so fine-tuning starts from a re-parameterised model");
        _out.Notes.AddRange(_epsNotes);
        _out.Metadata["vkresnet.source"] = $"onnx ({_model.Producer} {_model.ProducerVersion}, opset {_model.Opset})";
        if (_foldedUnits > 0) _out.Metadata["vkresnet.onnx_bn_folded"] = "true";
        return _out;
    }

    /// <summary>Input <paramref name="i"/> of a node, bounds-checked: a corrupt node list is an error, never an index exception.</summary>
    private string In(OnnxNode n, int i) => i < n.Inputs.Length ? n.Inputs[i]
        : throw Error($"node '{n.Label}' ({n.OpType}) has {n.Inputs.Length} inputs; input {i} is needed");

    private string Out(OnnxNode n) => n.Outputs.Length > 0 ? n.Outputs[0] : throw Error($"node '{n.Label}' ({n.OpType}) has no output");

    private string One(string[] names, OnnxNode n) => names.Length == 1 ? names[0] : throw Error($"node '{n.Label}' ({n.OpType}) has {names.Length} inputs/outputs, expected 1");

    private string Resolve(string name)
    {
        for (int hops = 0; _alias.TryGetValue(name, out string? next); hops++)
        {
            if (hops > 1000) throw Error($"Identity nodes form a cycle at '{name}'");
            name = next;
        }
        return name;
    }

    private List<OnnxNode> Consumers(string tensor) => _consumers.TryGetValue(Resolve(tensor), out var c) ? c : [];

    private OnnxNode Single(string tensor, string op, string after)
    {
        var c = Consumers(tensor);
        if (c.Count == 1 && c[0].OpType == op) return c[0];
        string found = c.Count == 0 ? "nothing (the graph ends there)" : string.Join(", ", c.Select(n => $"'{n.Label}' ({n.OpType})"));
        throw Error($"is not a ResNet VkResNet can build: expected one {op} after {after}, found {found}");
    }

    private ConvUnit ConvBn(OnnxNode conv)
    {
        var next = Consumers(Out(conv));
        if (next is [{ OpType: "BatchNormalization" } bn]) return new ConvUnit(conv, bn, Out(bn));
        return new ConvUnit(conv, null, Out(conv));
    }

    private Block ParseBlock(string x, int index)
    {
        var c = Consumers(x);
        var convs = c.Where(n => n.OpType == "Conv").ToList();
        string where = $"residual block {index} (input '{x}')";
        if (!(c.Count == 2 && (convs.Count == 2 || (convs.Count == 1 && c.Any(n => n.OpType == "Add")))))
            throw Error($"is not a ResNet VkResNet can build: {where} feeds {string.Join(", ", c.Select(n => $"'{n.Label}' ({n.OpType})"))}; expected a conv path and an identity or conv shortcut into an Add");

        ConvUnit? shortcut = null;
        ConvUnit? first = null;
        foreach (OnnxNode conv in convs)
        {
            ConvUnit u = ConvBn(conv);
            if (Consumers(u.Output) is [{ OpType: "Add" }] && convs.Count == 2) shortcut = u;
            else first = u;
        }
        if (first == null || (convs.Count == 2 && shortcut == null)) throw Error($"is not a ResNet VkResNet can build: cannot tell the main path from the shortcut in {where}");

        var main = new List<ConvUnit> { first };
        while (true)
        {
            var after = Consumers(main[^1].Output);
            if (after is [{ OpType: "Add" } add])
            {
                string shortcutOut = Resolve(shortcut?.Output ?? x);
                var addInputs = add.Inputs.Select(Resolve).ToHashSet();
                if (!addInputs.SetEquals([Resolve(main[^1].Output), shortcutOut]))
                    throw Error($"is not a ResNet VkResNet can build: Add '{add.Label}' in {where} does not sum the main path and the shortcut");
                OnnxNode relu = Single(Out(add), "Relu", $"Add '{add.Label}'");
                if (main.Count is not (2 or 3)) throw Error($"is not a ResNet VkResNet can build: {where} has {main.Count} convs on its main path (2 or 3 expected)");
                return new Block(main, shortcut, Out(relu));
            }
            if (main.Count == 3) throw Error($"is not a ResNet VkResNet can build: {where} has more than 3 convs on its main path");
            OnnxNode r = Single(main[^1].Output, "Relu", $"conv '{main[^1].Conv.Label}'");
            main.Add(ConvBn(Single(Out(r), "Conv", $"ReLU '{r.Label}'")));
        }
    }

    private ResNetSpec Classify(List<Block> blocks)
    {
        if (blocks.Count == 0) throw Error("is not a ResNet VkResNet can build: no residual blocks between MaxPool and GlobalAveragePool");
        int convs = blocks[0].Main.Count;
        if (blocks.Any(b => b.Main.Count != convs)) throw Error("is not a ResNet VkResNet can build: it mixes basic and bottleneck blocks");
        var layers = new List<int>();
        for (int i = 0; i < blocks.Count; i++)
        {
            if (i == 0 || blocks[i].Shortcut != null) layers.Add(0);  // a projection shortcut starts a stage
            layers[^1]++;
        }
        var kind = convs == 2 ? BlockKind.Basic : BlockKind.Bottleneck;
        return TorchvisionLayout.Find(kind, layers) ?? throw Error(
            $"is a {kind} ResNet with stages [{string.Join(", ", layers)}], not one of {TorchvisionLayout.Names}");
    }

    private void EmitBlocks(ResNetSpec arch, List<Block> blocks)
    {
        int i = 0;
        for (int stage = 0; stage < 4; stage++)
        {
            for (int b = 0; b < arch.Layers[stage]; b++, i++)
            {
                BlockShape s = arch.BlockAt(stage, b);
                Block block = blocks[i];
                if ((block.Shortcut != null) != s.Downsample)
                    throw Error($"block {s.Prefix} {(s.Downsample ? "lacks" : "has")} a projection shortcut, unlike torchvision's {arch.Name}");
                for (int k = 0; k < block.Main.Count; k++)
                {
                    ConvUnit u = block.Main[k];
                    int kernel = arch.Block == BlockKind.Basic || k == 1 ? 3 : 1;
                    int stride = (arch.Block == BlockKind.Basic ? k == 0 : k == 1) ? s.Stride : 1;
                    CheckConv(u.Conv, kernel, stride, $"{s.Prefix}.conv{k + 1}");
                    EmitConvBn(u, $"{s.Prefix}.conv{k + 1}", $"{s.Prefix}.bn{k + 1}");
                }
                if (block.Shortcut != null)
                {
                    CheckConv(block.Shortcut.Conv, 1, s.Stride, $"{s.Prefix}.downsample.0");
                    EmitConvBn(block.Shortcut, $"{s.Prefix}.downsample.0", $"{s.Prefix}.downsample.1");
                }
            }
        }
    }

    private void CheckConv(OnnxNode conv, int kernel, int stride, string name)
    {
        long[] Ints(string attr, long fill) => conv.Ints(attr) ?? [fill, fill];
        int pad = kernel / 2;
        bool ok = Ints("strides", 1).All(v => v == stride) && Ints("dilations", 1).All(v => v == 1) && conv.Int("group", 1) == 1
                  && (conv.Ints("pads") ?? [0, 0, 0, 0]).All(v => v == pad)
                  && (conv.Ints("kernel_shape") ?? [kernel, kernel]).All(v => v == kernel)
                  && (!conv.Attributes.TryGetValue("auto_pad", out var ap) || ap.I == 0);
        if (!ok)
        {
            string Show(string a) => conv.Ints(a) is { } v ? $"[{string.Join(",", v)}]" : "default";
            throw Error($"conv '{conv.Label}' ({name}) has kernel {Show("kernel_shape")}, strides {Show("strides")}, pads {Show("pads")}, dilations {Show("dilations")}, group {conv.Int("group", 1)}; " +
                        $"torchvision's ResNet needs a {kernel}x{kernel} conv, stride {stride}, pad {pad} here (ResNet v1 with the stride on the 1x1 conv is not supported)");
        }
    }

    private void CheckPool(OnnxNode pool)
    {
        bool ok = (pool.Ints("kernel_shape") ?? []).SequenceEqual([3L, 3L]) && (pool.Ints("strides") ?? []).SequenceEqual([2L, 2L])
                  && (pool.Ints("pads") ?? []).All(v => v == 1) && pool.Int("ceil_mode", 0) == 0 && (pool.Ints("dilations") ?? [1, 1]).All(v => v == 1);
        if (!ok) throw Error($"MaxPool '{pool.Label}' is not torchvision's 3x3 stride-2 pad-1 pool");
    }

    private (float[] Data, long[] Shape, SourceDType Type) Value(string name, OnnxNode user)
    {
        string r = Resolve(name);
        OnnxTensor? t = _model.Graph.Initializers.TryGetValue(r, out var init) ? init : _constants.GetValueOrDefault(r);
        if (t == null) throw Error($"node '{user.Label}' ({user.OpType}) reads '{name}' as a weight, but it is neither an initializer nor a Constant");
        return (OnnxTensorData.ToFloat32(t, _path), t.Dims, OnnxTensorData.SourceType(t));
    }

    private void Add(string name, long[] shape, float[] data, SourceDType type) => _out.Add(new WeightTensor(name, shape, data, type));

    private void EmitConvBn(ConvUnit u, string convName, string bnName)
    {
        var (w, wShape, wType) = Value(In(u.Conv, 1), u.Conv);
        if (wShape.Length != 4) throw Error($"conv '{u.Conv.Label}' weight has shape {WeightTensor.FormatShape(wShape)}; a 4-D [out, in, kh, kw] weight is needed");
        Add($"{convName}.weight", wShape, w, wType);
        long channels = wShape[0];
        float[]? bias = null;
        if (u.Conv.Inputs.Length > 2 && In(u.Conv, 2).Length > 0)
        {
            var (b, bShape, _) = Value(In(u.Conv, 2), u.Conv);
            if (b.Length != channels) throw Error($"conv '{u.Conv.Label}' bias has shape {WeightTensor.FormatShape(bShape)}, expected [{channels}]");
            bias = b;
        }
        if (u.Bn == null)
        {
            // Folded by the exporter: y = conv(x) + b, written as BN(weight 1, bias b, mean 0, var 1 - eps).
            _foldedUnits++;
            Add($"{bnName}.weight", [channels], Enumerable.Repeat(1f, (int)channels).ToArray(), wType);
            Add($"{bnName}.bias", [channels], bias ?? new float[channels], wType);
            Add($"{bnName}.running_mean", [channels], new float[channels], wType);
            Add($"{bnName}.running_var", [channels], Enumerable.Repeat((float)(1 - Epsilon), (int)channels).ToArray(), wType);
            return;
        }
        if (u.Bn.Inputs.Length < 5) throw Error($"BatchNormalization '{u.Bn.Label}' has {u.Bn.Inputs.Length} inputs, expected 5");
        float[][] p = new float[4][];
        for (int i = 0; i < 4; i++)
        {
            var (v, shape, type) = Value(In(u.Bn, i + 1), u.Bn);
            if (v.Length != channels) throw Error($"BatchNormalization '{u.Bn.Label}' input {i + 1} has shape {WeightTensor.FormatShape(shape)}, expected [{channels}]");
            p[i] = v;
        }
        double eps = u.Bn.Float("epsilon", (float)Epsilon);
        if (bias != null) for (int c = 0; c < channels; c++) p[2][c] -= bias[c];  // BN(y + b) with mean m == BN(y) with mean m - b
        if (Math.Abs(eps - Epsilon) > 1e-9)
        {
            // VkResNet's BN uses eps 1e-5; var + eps - 1e-5 keeps var + eps, so the layer computes the same thing.
            for (int c = 0; c < channels; c++) p[3][c] = (float)(p[3][c] + eps - Epsilon);
            _epsNotes.Add($"{bnName}: epsilon {eps} moved into running_var (VkResNet uses {Epsilon})");
        }
        for (int i = 0; i < 4; i++) Add($"{bnName}.{TorchvisionLayout.BatchNormSuffixes[i]}", [channels], p[i], wType);
    }

    private void EmitHead(OnnxNode gap, OnnxGraph g)
    {
        var flat = Consumers(Out(gap));
        if (flat is not [{ OpType: "Flatten" or "Reshape" } f]) throw Error($"expected Flatten or Reshape after GlobalAveragePool '{gap.Label}'");
        if (f.OpType == "Flatten" && f.Int("axis", 1) != 1) throw Error($"Flatten '{f.Label}' has axis {f.Int("axis", 1)}, expected 1");
        OnnxNode gemm = Single(Out(f), "Gemm", $"{f.OpType} '{f.Label}'");
        if (gemm.Int("transA", 0) != 0 || Math.Abs(gemm.Float("alpha", 1) - 1) > 0 || Math.Abs(gemm.Float("beta", 1) - 1) > 0 || gemm.Inputs.Length < 3)
            throw Error($"Gemm '{gemm.Label}' is not a plain fully connected layer (transA 0, alpha 1, beta 1, with a bias)");
        var (w, wShape, wType) = Value(In(gemm, 1), gemm);
        if (wShape.Length != 2) throw Error($"Gemm '{gemm.Label}' weight has shape {WeightTensor.FormatShape(wShape)}, expected 2-D");
        if (gemm.Int("transB", 0) == 0)
        {
            // B is [in, out]; VkResNet (like torch.nn.Linear) stores [out, in].
            var tr = new float[w.Length];
            long rows = wShape[0], cols = wShape[1];
            for (long r = 0; r < rows; r++) for (long c = 0; c < cols; c++) tr[c * rows + r] = w[r * cols + c];
            (w, wShape) = (tr, [cols, rows]);
        }
        var (b, bShape, bType) = Value(In(gemm, 2), gemm);
        if (b.Length != wShape[0]) throw Error($"Gemm '{gemm.Label}' bias has shape {WeightTensor.FormatShape(bShape)}, expected [{wShape[0]}]");
        Add("fc.weight", wShape, w, wType);
        Add("fc.bias", [wShape[0]], b, bType);
        if (Consumers(Out(gemm)).Count != 0 || !g.Outputs.Contains(Out(gemm)))
            throw Error($"the graph goes on after the classifier Gemm '{gemm.Label}' (its output should be the graph output)");
    }
}
