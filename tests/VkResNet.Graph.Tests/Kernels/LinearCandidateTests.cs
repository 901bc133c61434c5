using VkResNet.Graph.Kernels;
using VkResNet.Graph.Models;
using VkResNet.Graph.Ops;
using VkResNet.Graph.Tests.Support;
using VkResNet.Graph.Tuning;
using VkResNet.Runtime;
using VkResNet.Runtime.Tests;
using Xunit;

namespace VkResNet.Graph.Tests.Kernels;

/// <summary>The linear layer's three GEMMs go through the tuner as conv keys (LinearGemm), like every conv pass.</summary>
public sealed class LinearCandidateTests(GpuFixture gpu) : GpuTest(gpu)
{
    static ResNetModel Model() => ResNetBuilder.Build(ResNetSpec.Cifar(8, 10).WithInput(1, 12, 12), 3, ResNetMode.Train);

    [Theory]
    [InlineData(KernelVariant.Cpu)]
    [InlineData(KernelVariant.Gpu)]
    public void A_training_graph_has_a_key_per_linear_pass_and_the_fixed_rules_keep_the_strided_gemm(KernelVariant variant)
    {
        var ops = Model().Graph.Ops.Where(o => o is LinearOp or LinearBackwardInputOp or LinearBackwardWeightOp).ToList();
        Assert.Equal(3, ops.Count);
        var keys = ops.SelectMany(o => o.KernelKeys).ToList();
        Assert.Equal([ConvDirection.Forward, ConvDirection.BackwardInput, ConvDirection.BackwardWeight], keys.Select(k => k.Direction).Order());
        foreach (var key in keys)
        {
            Assert.True(LinearGemm.Applies(key.Shape), $"{key} is no 1x1 conv over 1x1 maps");
            Assert.Equal(LinearGemm.Name, ConvCandidates.Rules(key, variant).Name);
        }
    }

    [Fact]
    public void A_tuned_linear_layer_records_the_tuners_choice_and_trains_as_the_fixed_gemm_does()
    {
        using var dir = new TempDir();
        var model = Model();
        // The reference forms and their other grid order: the linear keys must choose one of them (the GEMM is not offered).
        var table = ConvCandidates.All.Where(c => c.Name is "direct_cpu" or "direct_cpu_pixels_x" or "phases_cpu" or "phases_cpu_pixels_x").ToList();
        var fixedRules = TrainingStep.Gradients(Device, model, TuningOptions.Off, seed: 7, out _);
        var tuned = TrainingStep.Gradients(Device, model, TestTuning.Measured(dir.Path) with { Candidates = table }, seed: 7, out var kernels);
        var linear = kernels.Choices.Where(c => LinearGemm.Applies(c.Key.Shape)).ToList();
        Assert.Equal(3, linear.Count);
        foreach (var (key, choice) in linear)
            Assert.True(choice.Source is ChoiceSource.Measured or ChoiceSource.OnlyCandidate && table.Contains(choice.Candidate), $"{key}: {choice.Candidate.Name} ({choice.Source})");
        Tolerance.AssertClose(fixedRules, tuned, 1e-4, 1e-3, "every parameter gradient, linear layer tuned against the fixed GEMM");
    }
}
