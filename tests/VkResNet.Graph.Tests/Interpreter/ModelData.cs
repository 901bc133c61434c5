using VkResNet.Graph.Checking;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Models;

namespace VkResNet.Graph.Tests.Interpreter;

/// <summary>Random parameters, statistics, inputs and labels for a model run by the interpreter.</summary>
static class ModelData
{
    public static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    public static void Fill(PlanInterpreter interp, ResNetModel model, int seed)
    {
        var rng = new Random(seed);
        foreach (var t in model.Graph.ReferencedTensors())
        {
            var v = interp[t];
            switch (t.Kind)
            {
                case TensorKind.Parameter when t.Init == ParameterInit.Ones: // BN gamma
                    for (int i = 0; i < v.Length; i++) v[i] = 1 + 0.3 * Normal(rng);
                    break;
                case TensorKind.Parameter:
                case TensorKind.Input when t.Name == "input":
                    for (int i = 0; i < v.Length; i++) v[i] = 0.5 * Normal(rng);
                    break;
                case TensorKind.RunningStat when t.Init == ParameterInit.Ones: // running_var
                    for (int i = 0; i < v.Length; i++) v[i] = 0.5 + rng.NextDouble();
                    break;
                case TensorKind.RunningStat:
                    for (int i = 0; i < v.Length; i++) v[i] = 0.2 * Normal(rng);
                    break;
                case TensorKind.Label:
                    for (int i = 0; i < v.Length; i++) v[i] = rng.Next(model.Spec.Classes);
                    break;
            }
        }
    }
}
