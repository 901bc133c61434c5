using System.Globalization;

namespace VkResNet.Bench.OnnxPeer;

/// <summary>The peer's command line, checked before ONNX Runtime is touched: a bad value throws one ArgumentException.</summary>
public sealed record PeerOptions(string OnnxFile, string Model, int Batch, int Iterations, int Warmup, int Threads, string JsonFile)
{
    public static PeerOptions Parse(string[] args)
    {
        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"expected --name value pairs, got '{args[i]}' " +
                    "(--onnx FILE --model NAME [--batch 1] [--iterations N] [--warmup W] [--threads T] --json OUT)");
            named[args[i][2..]] = args[i + 1];
        }
        string Required(string name) => named.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required");
        int Positive(string name, int fallback, int min)
        {
            if (!named.TryGetValue(name, out var v)) return fallback;
            return int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= min
                ? n : throw new ArgumentException($"--{name} {v}: expected an integer >= {min}");
        }
        string[] known = ["onnx", "model", "batch", "iterations", "warmup", "threads", "json"];
        foreach (var k in named.Keys)
            if (!known.Contains(k)) throw new ArgumentException($"unknown option --{k} (known: --{string.Join(", --", known)})");
        return new PeerOptions(Required("onnx"), Required("model"), Positive("batch", 1, 1), Positive("iterations", 10, 1),
            Positive("warmup", 2, 0), Positive("threads", 2, 1), Required("json"));
    }
}
