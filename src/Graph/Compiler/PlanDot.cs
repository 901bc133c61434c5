using System.Globalization;
using System.Text;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Ops;

namespace VkResNet.Graph.Compiler;

/// <summary>Graphviz drawing of a plan (`vkresnet graph --dot`): passes in order, barriers, tensors with offsets.</summary>
public static class PlanDot
{
    /// <param name="persistentTensors">also draw parameters, gradients and optimizer state (large for training graphs)</param>
    public static string Write(GraphPlan plan, bool persistentTensors = false)
    {
        var sb = new StringBuilder();
        sb.AppendLine("digraph plan {");
        sb.AppendLine("  rankdir=TB;");
        sb.AppendLine("  node [fontname=\"monospace\", fontsize=10];");
        sb.AppendLine($"  label={Quote($"arena {plan.ArenaBytes} B, {plan.Passes.Count} passes, {plan.BarrierCount} barriers")};");

        string? previous = null;
        foreach (var p in plan.Passes)
        {
            if (p.BarrierBefore)
            {
                string b = $"b{p.Index}";
                sb.AppendLine($"  {b} [shape=octagon, style=filled, fillcolor=\"#f4a6a6\", label=\"barrier\"];");
                if (previous is not null)
                    sb.AppendLine($"  {previous} -> {b} [style=bold, color=gray40];");
                previous = b;
            }
            string node = $"p{p.Index}";
            string color = p.Phase switch { OpPhase.Forward => "#cfe2f3", OpPhase.Backward => "#fce5cd", _ => "#d9ead3" };
            sb.AppendLine($"  {node} [shape=box, style=filled, fillcolor=\"{color}\", label={Quote($"{p.Index}: {p.Name}\n{p.Type}")}];");
            if (previous is not null)
                sb.AppendLine($"  {previous} -> {node} [style=bold, color=gray40];");
            previous = node;
        }

        var drawn = plan.Tensors.Where(t => persistentTensors || t.Kind.IsTransient() || t.Kind is TensorKind.Input or TensorKind.Output)
                                .ToDictionary(t => t.Id);
        foreach (var t in drawn.Values)
        {
            string where = t.Kind.IsTransient()
                ? $"arena+{t.Offset} ({t.Bytes} B) live {t.Lifetime!.Value.First}..{t.Lifetime!.Value.Last}"
                : $"{plan.Resources[t.Resource].Name}+{t.Offset} ({t.Bytes} B)";
            sb.AppendLine($"  {TensorNode(t.Id)} [shape=ellipse, label={Quote($"{t.Name} {t.Shape}\n{where}")}];");
        }
        foreach (var p in plan.Passes)
        {
            foreach (var id in p.ReadTensors.Distinct())
                if (drawn.ContainsKey(id))
                    sb.AppendLine($"  {TensorNode(id)} -> p{p.Index} [color=blue];");
            foreach (var id in p.WriteTensors.Distinct())
                if (drawn.ContainsKey(id))
                    sb.AppendLine($"  p{p.Index} -> {TensorNode(id)} [color=red];");
        }
        sb.AppendLine("}");
        return sb.ToString();
    }

    static string TensorNode(TensorId id) => "t" + id.Index.ToString(CultureInfo.InvariantCulture);

    static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n") + "\"";
}
