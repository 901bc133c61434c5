// ONNX Runtime CPU peer of `vkresnet bench`: times one torchvision ResNet exported to ONNX (bench/peers/export_onnx.py)
// at batch 1, the way torch_peer.py times PyTorch, and writes the per-run milliseconds as JSON for compare.py.
//   onnx-peer --onnx FILE --model NAME [--batch 1] [--iterations N] [--warmup W] [--threads 2] --json OUT
// CPU execution provider, IntraOpNumThreads = --threads, sequential execution, all graph optimisations. Input and
// output live in buffers bound once, so a timed run allocates no tensors.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

namespace VkResNet.Bench.OnnxPeer;

public static class Program
{
    public static int Main(string[] args)
    {
        PeerOptions o;
        try { o = PeerOptions.Parse(args); }
        catch (ArgumentException e) { Console.Error.WriteLine($"onnx-peer: {e.Message}"); return 2; }
        if (!File.Exists(o.OnnxFile))
        {
            Console.Error.WriteLine($"onnx-peer: no ONNX file at {o.OnnxFile} (bench/peers/export_onnx.py makes it)");
            return 1;
        }
        try { return Run(o); }
        catch (OnnxRuntimeException e) { Console.Error.WriteLine($"onnx-peer: ONNX Runtime failed on {o.OnnxFile}: {e.Message}"); return 1; }
    }

    private static int Run(PeerOptions o)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = o.Threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        using var session = new InferenceSession(o.OnnxFile, options);
        string inputName = session.InputMetadata.Keys.Single();
        string outputName = session.OutputMetadata.Keys.Single();
        long[] inputShape = [o.Batch, 3, 224, 224];
        long[] outputShape = [o.Batch, session.OutputMetadata[outputName].Dimensions[^1]];

        var input = new float[o.Batch * 3 * 224 * 224];
        var rng = new Random(1);
        for (int i = 0; i < input.Length; i++) input[i] = (float)(rng.NextDouble() * 2 - 1);
        var output = new float[checked((int)(outputShape[0] * outputShape[1]))];
        using var inputValue = OrtValue.CreateTensorValueFromMemory(input, inputShape);
        using var outputValue = OrtValue.CreateTensorValueFromMemory(output, outputShape);
        using var runOptions = new RunOptions();
        string[] inputNames = [inputName], outputNames = [outputName];
        OrtValue[] inputs = [inputValue], outputs = [outputValue];

        void Step() => session.Run(runOptions, inputNames, inputs, outputNames, outputs);
        for (int i = 0; i < o.Warmup; i++) Step();
        var ms = new double[o.Iterations];
        for (int i = 0; i < o.Iterations; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            Step();
            ms[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        if (!float.IsFinite(output[0])) { Console.Error.WriteLine("onnx-peer: the model produced a non-finite logit"); return 1; }

        double p50 = Median(ms);
        var result = new Dictionary<string, object>
        {
            ["peer"] = "onnxruntime",
            ["onnxruntime"] = typeof(InferenceSession).Assembly.GetName().Version?.ToString(3) ?? "?",
            ["provider"] = "CPUExecutionProvider",
            ["threads"] = o.Threads,
            ["model"] = o.Model,
            ["batch"] = o.Batch,
            ["mode"] = "inference",
            ["iterations"] = o.Iterations,
            ["warmup"] = o.Warmup,
            ["ms"] = ms,
            ["msP50"] = p50,
            ["load"] = LoadAverage(),
        };
        File.WriteAllText(o.JsonFile, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  onnxruntime {o.Model} inference batch {o.Batch}: p50 {p50:F1} ms"));
        return 0;
    }

    private static double Median(double[] xs)
    {
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    private static double[] LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ').Take(3)
                .Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (IOException) { return []; }
    }
}
