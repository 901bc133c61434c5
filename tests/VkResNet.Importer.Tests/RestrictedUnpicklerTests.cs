using System.Text;
using VkResNet.Importer.Torch;

namespace VkResNet.Importer.Tests;

/// <summary>The unpickler refuses every global and opcode outside its allow-list, and runs nothing.</summary>
public class RestrictedUnpicklerTests
{
    [Fact]
    public void The_os_system_and_eval_pickles_never_run()
    {
        // Their commands would create these marker files; the importer must refuse before anything could run them.
        string[] markers = [Path.Combine(ImportFixtures.GeneratedDir, "PWNED_os_system"), Path.Combine(ImportFixtures.GeneratedDir, "PWNED_eval")];
        string[] files = [ImportFixtures.Get("evil_os_system.pth"), ImportFixtures.Get("evil_eval.pth")];
        foreach (string m in markers) File.Delete(m);
        using var dir = new TempDir();
        foreach (string f in files)
        {
            var r = ImporterCli.Run(f, "-o", dir.File("out.safetensors"));
            Assert.Equal(VkResNet.Graph.Edge.ExitCodes.BadInput, r.ExitCode);
            Assert.Contains("refused pickle global", r.Stderr);
            Assert.Throws<ImportException>(() => TorchCheckpointReader.Read(f));
        }
        foreach (string m in markers) Assert.False(File.Exists(m), $"{m} exists: a pickle ran code");
        Assert.Empty(dir.Entries);
    }

    // Hand-assembled pickles: protocol 2 header, then the payload, then STOP.
    public static TheoryData<string, string, string> Refused => new()
    {
        { "GLOBAL os.system", "cos\nsystem\nX\u0002\u0000\u0000\u0000ls\u0085R", "refused pickle global 'os.system'" },
        { "GLOBAL subprocess.Popen", "csubprocess\nPopen\n)R", "'subprocess.Popen'" },
        { "STACK_GLOBAL builtins.exec", "\u008c\u0008builtins\u008c\u0004exec\u0093", "'builtins.exec'" },
        { "GLOBAL torch.load", "ctorch\nload\n", "'torch.load'" },
        { "GLOBAL torch._utils._rebuild_tensor", "ctorch._utils\n_rebuild_tensor\n", "'torch._utils._rebuild_tensor'" },
        { "INST opcode", "(ios\nsystem\n", "INST" },
        { "NEWOBJ opcode", "ccollections\nOrderedDict\n)\u0081", "NEWOBJ" },
        { "REDUCE on a string", "X\u0001\u0000\u0000\u0000a)R", "not callable" },
        { "allowed global called wrongly", "ctorch._utils\n_rebuild_tensor_v2\n)R", "only the forms torch.save writes" },
        { "BUILD on a list", "]}b", "BUILD" },
        { "persistent id that is not a storage", "X\u0001\u0000\u0000\u0000aQ", "persistent id" },
        { "storage typed by a foreign class", "(X\u0007\u0000\u0000\u0000storageccollections\nOrderedDict\nX\u0001\u0000\u0000\u00000X\u0003\u0000\u0000\u0000cpuK\u0001tQ", "not a torch storage type" },
        { "memo read before write", "h\u0005", "never stored" },
        { "truncated", "X\u00ff\u0000\u0000\u0000ab", "past the end" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Foreign_globals_and_opcodes_are_refused(string what, string payload, string message)
    {
        byte[] bytes = [0x80, 0x02, .. Encoding.Latin1.GetBytes(payload), (byte)'.'];
        var e = Assert.Throws<ImportException>(() => RestrictedUnpickler.Load(bytes, what));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_state_dict_pickle_builds_inert_tensor_references()
    {
        // {'w': _rebuild_tensor_v2(('storage', FloatStorage, '0', 'cpu', 6), 0, (2, 3), (3, 1), False, OrderedDict())}
        string p = "}q\u0000(X\u0001\u0000\u0000\u0000wctorch._utils\n_rebuild_tensor_v2\n((X\u0007\u0000\u0000\u0000storagectorch\nFloatStorage\n" +
                   "X\u0001\u0000\u0000\u00000X\u0003\u0000\u0000\u0000cpuK\u0006tQK\u0000K\u0002K\u0003\u0086K\u0003K\u0001\u0086\u0089ccollections\nOrderedDict\n)RtRu";
        byte[] bytes = [0x80, 0x02, .. Encoding.Latin1.GetBytes(p), (byte)'.'];
        var d = Assert.IsType<PickleDict>(RestrictedUnpickler.Load(bytes, "hand-made"));
        var t = Assert.IsType<TensorRef>(Assert.Single(d.Items).Value);
        Assert.Equal(new StorageRef("0", StorageDType.Float, 6, "cpu"), t.Storage);
        Assert.Equal([2L, 3], t.Shape);
        Assert.Equal([3L, 1], t.Stride);
    }
}
