using VkResNet.Graph.Compiler;
using VkResNet.Graph.Ir;
using VkResNet.Runtime;

namespace VkResNet.Graph.Tests.GraphCompiler;

/// <summary>An op that only declares accesses: the fake resource interface compiler tests run against.</summary>
sealed class FakeOp : Op
{
    public FakeOp(string name, IEnumerable<Tensor> reads, IEnumerable<Tensor> writes, IEnumerable<Tensor>? readWrites = null,
                  long scratchBytes = 0) : base(name)
    {
        this.scratchBytes = scratchBytes;
        foreach (var t in reads) Read(t);
        foreach (var t in writes) Write(t);
        foreach (var t in readWrites ?? []) ReadWrite(t);
    }

    public override string Type => "Fake";
    readonly long scratchBytes;
    public override long ScratchBytes(KernelVariant variant) => scratchBytes;
    public override void Record(OpRecordContext ctx) => throw new NotSupportedException("fake op");
}
