using BenchmarkDotNet.Attributes;
using VkResNet.Graph.Execution;
using VkResNet.Graph.Models;
using VkResNet.Graph.Training;

namespace VkResNet.Bench;

/// <summary>A whole model step as users run it: ResNet-18/50 inference at 224 batch 1, ResNet-20 training at 1x28x28.</summary>
public sealed record ModelCase(string Model, int Batch, bool Train)
{
    public override string ToString() => $"{Model} {(Train ? "train" : "infer")} b{Batch}";
}

/// <summary>
/// <see cref="CompiledGraph.Run"/> (replay of the recorded step + one fence wait) of a model built by
/// <see cref="ResNetBuilder"/> (inference: BN folded, epilogues fused) and initialised by
/// <see cref="ParameterInitializer"/>. Times are BenchmarkDotNet's wall times; the managed allocation per
/// step (the goal is 0 B) is MemoryDiagnoser's "Allocated" and, exact per call, the "Alloc B/call" column.
/// </summary>
public class EndToEndBenchmarks
{
    [ParamsSource(nameof(Cases))] public ModelCase Case { get; set; } = null!;

    public static IEnumerable<ModelCase> Cases =>
        BenchSettings.Quick
            ? [new("resnet18", 1, false), new("resnet20", 128, true)]
            : [new("resnet18", 1, false), new("resnet50", 1, false), new("resnet20", 128, true)];

    CompiledGraph _graph = null!;
    Measurement _measurement = null!;

    [GlobalSetup]
    public void Setup()
    {
        bool imagenet = ModelCatalog.IsImageNet(Case.Model);
        var (c, h, w, classes) = imagenet ? (3, 224, 224, 1000) : (1, 28, 28, 10); // CIFAR-style models at Fashion-MNIST's size
        var spec = ModelCatalog.Resolve(Case.Model, c, h, w, classes);
        var model = ResNetBuilder.Build(spec, Case.Batch, Case.Train ? ResNetMode.Train : ResNetMode.Infer);
        _graph = CompiledGraph.Compile(BenchDevice.Device, model.Graph);
        ParameterInitializer.Initialize(_graph, seed: 1);
        var rng = new Random(2);
        var input = _graph.Input(model.Input);
        for (int i = 0; i < input.Length; i++) input[i] = (float)(rng.NextDouble() * 2 - 1);
        if (Case.Train)
        {
            var labels = _graph.Labels(model.Labels!);
            for (int i = 0; i < labels.Length; i++) labels[i] = i % classes;
            _graph.Input(model.LearningRate!)[0] = 1e-4f; // small: timing only, keeps the weights sane over many steps
        }
        double flops = _graph.Plan.Passes.Sum(p => (double)_graph.Graph.Ops[p.OpIndex].Flops);
        _measurement = Measurements.Start(Measurements.Key(typeof(EndToEndBenchmarks), (nameof(Case), Case)), flops);
    }

    [Benchmark]
    public void Run()
    {
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        _graph.Run();
        _measurement.AddAllocated(GC.GetAllocatedBytesForCurrentThread() - allocated);
    }

    [GlobalCleanup]
    public void Cleanup() => _graph.Dispose();
}
