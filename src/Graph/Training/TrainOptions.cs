using VkResNet.Graph.Data;
using VkResNet.Graph.Models;

namespace VkResNet.Graph.Training;

/// <summary>A training recipe. Defaults are the main job: ResNet-20 (option A) on Fashion-MNIST, 3 epochs (one-cycle LR 0.1; reaches ~91% test accuracy).</summary>
public sealed record TrainOptions
{
    public string Model { get; init; } = "resnet20";
    public ShortcutOption? Shortcut { get; init; }
    public int Epochs { get; init; } = 3;
    public int BatchSize { get; init; } = 128;
    public int EvalBatchSize { get; init; } = 250;
    public double LearningRate { get; init; } = 0.1;
    public string Schedule { get; init; } = "onecycle";
    public int WarmupEpochs { get; init; }
    public float Momentum { get; init; } = 0.9f;
    public float WeightDecay { get; init; } = 1e-4f;
    public bool Nesterov { get; init; }
    public float LabelSmoothing { get; init; }
    public Augmentation Augmentation { get; init; } = Augmentation.None;
    public int Seed { get; init; } = 1;
    /// <summary>Folder for checkpoint.safetensors, metrics.csv and curves.svg.</summary>
    public string OutputDirectory { get; init; } = "runs/latest";
    /// <summary>Continue from the checkpoint in <see cref="OutputDirectory"/>.</summary>
    public bool Resume { get; init; }
    /// <summary>
    /// On resume, allow an <see cref="Epochs"/> other than the run's: the schedule is re-planned for the new total length
    /// and continues at the step reached (the learning rate jumps to the new curve's value there).
    /// </summary>
    public bool Extend { get; init; }
    /// <summary>Stop after this many training images per epoch (0: all); for quick runs and tests.</summary>
    public int LimitTrainImages { get; init; }
    public int LimitTestImages { get; init; }
    /// <summary>Evaluate on the test set after every epoch (else only after the last).</summary>
    public bool EvaluateEveryEpoch { get; init; } = true;
    /// <summary>Micro-batches of <see cref="BatchSize"/> whose mean gradient makes one optimizer step (1: none).</summary>
    public int Accumulate { get; init; } = 1;
    /// <summary>Data-parallel training: gradients are averaged over the reducer's ranks in buckets of this many bytes.</summary>
    public long BucketBytes { get; init; } = 25L << 20;
    /// <summary>
    /// Data-parallel: SyncBatchNorm, BN batch statistics over every rank's batch (their sums all-reduced inside the step),
    /// instead of per replica. Needs a reducer.
    /// </summary>
    public bool SyncBatchNorm { get; init; }
    /// <summary>Data-parallel: compare a checksum of the weights across ranks every N steps (0: never).</summary>
    public int CheckEverySteps { get; init; }
    /// <summary>A metrics.csv train row every this many steps (0: about 50 per epoch).</summary>
    public int MetricsEvery { get; init; }
}
