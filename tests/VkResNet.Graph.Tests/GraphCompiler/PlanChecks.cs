using VkResNet.Graph.Compiler;
using VkResNet.Graph.Ir;
using Xunit;

namespace VkResNet.Graph.Tests.GraphCompiler;

/// <summary>Invariants every plan must satisfy, shared by the compiler tests.</summary>
static class PlanChecks
{
    /// <summary>Aligned placements, and no two transients with overlapping lifetimes share a byte.</summary>
    public static void NoLiveOverlap(GraphPlan plan)
    {
        var transients = plan.Tensors.Where(t => t.Kind.IsTransient()).ToList();
        foreach (var t in plan.Tensors)
        {
            Assert.True(t.Offset % 16 == 0 && t.Bytes % 16 == 0, $"{t.Name}: offset {t.Offset}, size {t.Bytes} not 16-byte aligned");
            Assert.True(t.Offset + t.Bytes <= plan.Resources[t.Resource].Bytes, $"{t.Name} ends past its resource");
        }
        for (int i = 0; i < transients.Count; i++)
            for (int j = i + 1; j < transients.Count; j++)
            {
                var (a, b) = (transients[i], transients[j]);
                if (a.Lifetime!.Value.Overlaps(b.Lifetime!.Value))
                    Assert.False(a.Range.Overlaps(b.Range),
                        $"{a.Name} {a.Range} live {a.Lifetime} overlaps {b.Name} {b.Range} live {b.Lifetime}");
            }
    }

    /// <summary>
    /// Replays the passes over a per-16-byte owner map of every resource: a read must find the bytes
    /// still owned by the tensor read (nothing aliased over it since it was written).
    /// </summary>
    public static void ReadsSeeTheirWrites(GraphPlan plan)
    {
        var owner = plan.Resources.Select(r => new int[r.Bytes / 16]).ToArray();
        foreach (var o in owner)
            Array.Fill(o, -1);
        foreach (var t in plan.Tensors.Where(t => !t.Kind.IsTransient()))
            Array.Fill(owner[t.Resource], t.Id.Index, (int)(t.Offset / 16), (int)(t.Bytes / 16));
        foreach (var p in plan.Passes)
        {
            foreach (var id in p.ReadTensors)
            {
                var t = plan.Placement(id);
                var units = owner[t.Resource].AsSpan((int)(t.Offset / 16), (int)(t.Bytes / 16));
                int bad = units.IndexOfAnyExcept(id.Index);
                Assert.True(bad < 0, $"pass {p.Index} {p.Name} reads {t.Name} but byte {t.Offset + 16 * bad} belongs to t{(bad < 0 ? 0 : units[bad])}");
            }
            foreach (var id in p.WriteTensors)
            {
                var t = plan.Placement(id);
                owner[t.Resource].AsSpan((int)(t.Offset / 16), (int)(t.Bytes / 16)).Fill(id.Index);
            }
        }
    }
}
