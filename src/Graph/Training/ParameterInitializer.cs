using VkResNet.Graph.Execution;
using VkResNet.Graph.Ir;

namespace VkResNet.Graph.Training;

/// <summary>
/// Host-side initialisation of persistent tensors as torchvision does it: He (MSRA) normal with
/// fan_out for convolutions, nn.Linear's uniform for fc, ones/zeros for batch norm. Seeded, so a
/// run is reproducible.
/// </summary>
public static class ParameterInitializer
{
    /// <param name="linearFanIn">for LinearUniform tensors: in_features of the layer (a bias shares its weight's)</param>
    public static float[] Values(Tensor t, Random rng, int linearFanIn = 0)
    {
        var shape = t.Shape;
        var v = new float[shape.ElementCount];
        switch (t.Init)
        {
            case ParameterInit.Ones:
                Array.Fill(v, 1f);
                break;
            case ParameterInit.KaimingNormalFanOut:
            {
                // fan_out = Cout * kh * kw (torchvision: kaiming_normal_(mode="fan_out", nonlinearity="relu")).
                long fanOut = shape.ElementCount / shape[1];
                double std = Math.Sqrt(2.0 / fanOut);
                for (int i = 0; i < v.Length; i++) v[i] = (float)(std * Normal(rng));
                break;
            }
            case ParameterInit.LinearUniform:
            {
                // nn.Linear: U(-1/sqrt(in_features), 1/sqrt(in_features)) for weight and bias alike.
                int fanIn = linearFanIn > 0 ? linearFanIn : shape[shape.Rank - 1];
                double bound = 1.0 / Math.Sqrt(fanIn);
                for (int i = 0; i < v.Length; i++) v[i] = (float)((rng.NextDouble() * 2 - 1) * bound);
                break;
            }
        }
        return v;
    }

    /// <summary>Initialises every persistent tensor of a compiled graph that has an init rule; returns how many.</summary>
    public static int Initialize(CompiledGraph graph, int seed)
    {
        var rng = new Random(seed);
        var tensors = graph.Graph.ReferencedTensors().ToList();
        var weights = tensors.Where(t => t.Init == ParameterInit.LinearUniform && t.Name.EndsWith(".weight", StringComparison.Ordinal))
            .ToDictionary(t => t.Name[..^".weight".Length], t => t.Shape[t.Shape.Rank - 1]);
        int n = 0;
        foreach (var t in tensors.Where(t => !t.IsTransient && t.Init != ParameterInit.None))
        {
            int fanIn = t.Init == ParameterInit.LinearUniform && t.Name.EndsWith(".bias", StringComparison.Ordinal)
                ? weights.GetValueOrDefault(t.Name[..^".bias".Length]) : 0;
            graph.Write(t, Values(t, rng, fanIn));
            n++;
        }
        return n;
    }

    static double Normal(Random rng)
    {
        // Box-Muller; 1 - NextDouble avoids log(0).
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
