using VkResNet.Graph.Checking;
using VkResNet.Graph.Compiler;
using VkResNet.Graph.Execution;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Ops;

namespace VkResNet.Graph.Tests.GraphCompiler;

/// <summary>An op that only declares accesses: the fake resource interface compiler tests run against.</summary>
sealed class FakeOp : Op
{
    public FakeOp(string name, IEnumerable<Tensor> reads, IEnumerable<Tensor> writes, IEnumerable<Tensor>? readWrites = null) : base(name)
    {
        foreach (var t in reads) Read(t);
        foreach (var t in writes) Write(t);
        foreach (var t in readWrites ?? []) ReadWrite(t);
    }

    public override string Type => "Fake";
    public override void Record(CommandRecorder rec) => throw new NotSupportedException("fake op");
    public override void Reference(ReferenceContext m) => throw new NotSupportedException("fake op");
}
