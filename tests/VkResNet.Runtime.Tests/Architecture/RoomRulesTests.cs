using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;

namespace VkResNet.Runtime.Tests.Architecture;

/// <summary>
/// The room rules of docs/design/README.md (and ARCHITECTURE.md's table), checked over the source tree: project
/// references in the .csproj files, and the VkResNet namespaces each room's .cs files name (using lines and
/// qualified names outside comments).
/// </summary>
public sealed partial class RoomRulesTests
{
    public sealed record Rule(string Name, Func<IEnumerable<string>> Violations);

    // Declared before Rules, which reads them.
    static readonly string[] BarrierRecorders = ["src/Graph/Execution/CommandRecorder.cs", "src/Graph/Execution/EdgeRecording.cs"];
    static readonly string[] EnvironmentReaders = ["src/Runtime/RuntimeSwitches.cs", "src/Graph/Edge/Switches.cs", "src/Distributed/MpiLaunch.cs"];
    static readonly string[] ReaderCallers = ["src/Graph/Edge/TopLevel.cs", "bench/BenchDevice.cs", "src/Cli/Commands/DistributedOptions.cs"];

    static readonly Rule[] Rules =
    [
        new("Runtime references no project", () => ProjectRefs("src/Runtime/VkResNet.Runtime.csproj")),
        new("Runtime names no namespace above it", () => Names("src/Runtime").Where(n => !Under(n.Ns, "VkResNet.Runtime")).Select(Show)),
        new("Runtime embeds only its own kernels (no viewer or sample shader)", RuntimeEmbedsOnlyItsOwn),
        // ShaderLibrary.Load takes the first registered assembly that has a name, so a name two rooms embed is ambiguous.
        new("Kernel names are unique across the runtime, viewer, samples and test shaders",
            () => Matching("*.comp", "src", "samples", "tests").GroupBy(f => Path.GetFileNameWithoutExtension(f))
                .Where(g => g.Count() > 1).Select(g => string.Join(" and ", g))),
        // One op, one place: a kernel only one op launches is launched from that op's file (Ops/AvgPool2dOp.cs is the model);
        // Graph.Kernels keeps the kernels several ops share: conv and its GEMM/Winograd/split-K forms (Conv2d, Linear), bias
        // gradients, and batch norm (BatchNorm, BnAddRelu and the four sync-bn split ops).
        new("Graph.Kernels launches only kernels several ops share (conv, GEMM, bias gradient, batch norm)", KernelsHoldOnlySharedLaunchers),
        new("Graph references only Runtime", () => ProjectRefs("src/Graph/VkResNet.Graph.csproj").Except(["VkResNet.Runtime"])),
        new("Graph knows no CLI, viewer, distributed, importer or sample",
            () => Names("src/Graph").Where(n => UnderAny(n.Ns, "VkResNet.Cli", "VkResNet.Viewer", "VkResNet.Distributed", "VkResNet.Importer", "VkResNet.Samples")).Select(Show)),
        new("Graph holds no PNG writer (the viewer's screenshots own it)", () => Files("src/Graph").Where(f => Path.GetFileName(f) == "PngWriter.cs")),
        new("Distributed knows no CLI and no kernels",
            () => ProjectRefs("src/Distributed/VkResNet.Distributed.csproj").Where(r => r is "vkresnet" or "VkResNet.Cli")
                .Concat(Names("src/Distributed").Where(n => UnderAny(n.Ns, "VkResNet.Cli", "VkResNet.Graph.Kernels", "VkResNet.Viewer")).Select(Show))),
        new("Viewer knows no CLI, distributed or importer",
            () => ProjectRefs("src/Viewer/VkResNet.Viewer.csproj").Except(["VkResNet.Runtime", "VkResNet.Graph"])
                .Concat(Names("src/Viewer").Where(n => UnderAny(n.Ns, "VkResNet.Cli", "VkResNet.Distributed", "VkResNet.Importer")).Select(Show))),
        new("CLI knows no viewer and no importer",
            () => Names("src/Cli").Where(n => UnderAny(n.Ns, "VkResNet.Viewer", "VkResNet.Importer")).Select(Show)),
        // "Never knows the GPU": the importer reads and writes weights with Graph's IO and model description
        // (ResNetSpec); only --verify runs the model, so only Program.cs (opening the device) and Verify/ name GPU rooms.
        new("Importer reaches the GPU only through --verify (Program.cs, Verify/)",
            () => ProjectRefs("tools/weight-importer/VkResNet.Importer.csproj").Except(["VkResNet.Graph"])
                .Concat(Names("tools/weight-importer")
                    .Where(n => !n.File.StartsWith("tools/weight-importer/Verify/", StringComparison.Ordinal) && n.File != "tools/weight-importer/Program.cs")
                    .Where(n => UnderAny(n.Ns, "VkResNet.Runtime", "VkResNet.Graph.Execution", "VkResNet.Graph.Compiler", "VkResNet.Graph.Kernels", "VkResNet.Graph.Tuning"))
                    .Select(Show))),
        new("Importer keeps no ResNet description or BN folding of its own (Graph's ResNetSpec, Optimize/BatchNormFolding)",
            () => Files("tools/weight-importer").Where(f => OwnDeclaration().IsMatch(Code(f)))),
        new("No product or sample project references a test project",
            () => ProjectFiles().Where(p => !p.StartsWith("tests/", StringComparison.Ordinal))
                .SelectMany(p => ProjectRefPaths(p).Where(r => r.StartsWith("tests/", StringComparison.Ordinal)).Select(r => $"{p} -> {r}"))),
        new("No test project references a sample",
            () => ProjectFiles().Where(p => p.StartsWith("tests/", StringComparison.Ordinal))
                .SelectMany(p => ProjectRefPaths(p).Where(r => r.StartsWith("samples/", StringComparison.Ordinal)).Select(r => $"{p} -> {r}"))),
        new("One raw Vulkan start-up: vkCreateInstance/vkCreateDevice only in src/Runtime and samples/Shared",
            () => Files("src", "samples", "tools", "tests", "bench")
                .Where(f => !f.StartsWith("src/Runtime/", StringComparison.Ordinal) && !f.StartsWith("samples/Shared/", StringComparison.Ordinal))
                .Where(f => RawCreate().IsMatch(Code(f)))),
        new("One tolerance helper (tests/VkResNet.Runtime.Tests/Tolerance.cs)",
            () => Files("tests").Where(f => f != "tests/VkResNet.Runtime.Tests/Tolerance.cs" && ToleranceHelper().IsMatch(Code(f)) && ToleranceFormula().IsMatch(Code(f)))),
        new("Graph.Ir names no other Graph namespace",
            () => Names("src/Graph/Ir").Where(n => Under(n.Ns, "VkResNet.Graph") && !Under(n.Ns, "VkResNet.Graph.Ir")).Select(Show)),
        new("Graph.Compiler holds no recording (no Runtime command types)",
            () => Files("src/Graph/Compiler").Where(f => RecordingTypes().IsMatch(Code(f)))),
        // Recording has two names: the command list commands are recorded into (Runtime) and the recorder ops and kernel
        // launchers write to (Graph.Execution). CommandEmitter, the list's internal writer, is not public.
        new("Recording has two names: no public Runtime or Graph type but CommandList and CommandRecorder is named Record/Command/Tape/Sink",
            () => PublicTypes("src/Runtime", "src/Graph").Where(t => RecordingWord().IsMatch(t.Name) && t.Name is not ("CommandList" or "CommandRecorder"))
                .Select(t => $"{t.File}: {t.Name}")),
        // One barrier authority (docs/design/README.md): between and inside passes the plan's, recorded by CommandRecorder;
        // at copies, the host and submission boundaries an Edge, whose kind EdgeBarriers.Of chooses.
        new("Graph records barriers only in CommandRecorder (passes and their steps) and as a planned Edge",
            () => Files("src/Graph").Except(BarrierRecorders).Where(f => BarrierCall().IsMatch(Code(f)))),
        // Switches are read once at the edge into options (docs/design, STYLE.md "Failure paths"): the readers alone touch the environment.
        new("Only the switch readers and MPI's launch contract read the environment (RuntimeSwitches, Switches, MpiLaunch)",
            () => Files("src", "samples", "tools", "bench").Except(EnvironmentReaders).Where(f => EnvironmentRead().IsMatch(Code(f)))),
        new("Only an edge calls a reader (an executable's Program.cs, TopLevel, the bench's BenchDevice, the CLI's DistributedOptions)",
            () => Files("src", "samples", "tools", "bench").Where(f => Path.GetFileName(f) != "Program.cs").Except(ReaderCallers)
                .Where(f => ReaderCall().IsMatch(Code(f)))),
    ];


    public static TheoryData<string> Active
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var r in Rules) data.Add(r.Name);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Active))]
    public void RoomRuleHolds(string rule) => AssertHolds(rule);

    [Fact]
    public void TheRuleScanSeesTheRooms()
    {
        // Guards the scan itself: a wrong root or pattern would let every rule pass on nothing.
        Assert.Contains(Names("src/Graph"), n => n.Ns == "VkResNet.Runtime");
        Assert.Contains(Names("tools/weight-importer/Verify"), n => Under(n.Ns, "VkResNet.Runtime"));
        Assert.Contains("VkResNet.Runtime", ProjectRefs("src/Graph/VkResNet.Graph.csproj"));
        Assert.NotEmpty(Files("src/Graph/Compiler"));
        Assert.NotEmpty(Files("src/Graph/Ir"));
        Assert.Contains("conv2d_forward_gpu", ShaderLibrary.NamesIn(typeof(ShaderLibrary).Assembly));
        Assert.Contains("src/Viewer/Shaders/viewer_draw.comp", ShaderFiles());
        Assert.Matches(RawCreate(), Code("samples/Shared/RawVulkanDevice.cs"));
        Assert.Matches(ToleranceHelper(), Code("tests/VkResNet.Runtime.Tests/Tolerance.cs"));
        Assert.Matches(ToleranceFormula(), Code("tests/VkResNet.Runtime.Tests/Tolerance.cs"));
        var types = PublicTypes("src/Runtime", "src/Graph").Select(t => t.Name).ToList();
        Assert.Contains("CommandList", types);
        Assert.Contains("CommandRecorder", types);
        Assert.Contains("DispatchObserver", types); // a delegate
        Assert.Contains("GradientBucket", types);   // a record
        Assert.DoesNotContain("CommandEmitter", types); // internal
        foreach (string recorder in BarrierRecorders) Assert.Matches(BarrierCall(), Code(recorder));
        Assert.Matches(BarrierCall(), "cl.FullBarrier();");
        Assert.Matches(BarrierCall(), "s.OutputKept.Barrier(BarrierKind.TransferToHost);");
        Assert.Matches(BarrierCall(), "cl.Barrier(Stage.ComputeShaderBit, Stage.TransferBit, a, b);");
        Assert.DoesNotMatch(BarrierCall(), "cl.Edge(PlanEdge.TransfersIn);");
        foreach (string reader in EnvironmentReaders) Assert.Matches(EnvironmentRead(), Code(reader));
        foreach (string caller in ReaderCallers) Assert.Matches(ReaderCall(), Code(caller));
        // What a new read elsewhere would look like: each form is caught.
        Assert.Matches(EnvironmentRead(), "string? d = Environment.GetEnvironmentVariable(\"VKRESNET_DEVICE\");");
        Assert.Matches(EnvironmentRead(), "var all = System.Environment.GetEnvironmentVariables();");
        Assert.Matches(EnvironmentRead(), "Func<string, string?> env = Environment.GetEnvironmentVariable;");
        Assert.Matches(ReaderCall(), "var s = VkResNet.Runtime.RuntimeSwitches.FromEnvironment ();");
        Assert.DoesNotMatch(ReaderCall(), "var s = RuntimeSwitches.FromEnvironment(lookup);");
    }

    static void AssertHolds(string name)
    {
        var rule = Rules.Single(r => r.Name == name);
        var bad = rule.Violations().Distinct().ToList();
        Assert.True(bad.Count == 0, $"Room rule \"{name}\" is broken by:\n  {string.Join("\n  ", bad)}");
    }

    static readonly string[] SharedKernelPrefixes = ["conv2d_", "winograd", "gemm_", "splitk_", "bias_grad", "batchnorm_", "bn_add_relu_"];

    static IEnumerable<string> KernelsHoldOnlySharedLaunchers()
    {
        var shaders = Matching("*.comp", "src/Shaders").Select(f => Path.GetFileNameWithoutExtension(f)!).ToHashSet();
        var named = Files("src/Graph/Kernels")
            .SelectMany(f => StringLiteral().Matches(Code(f)).Select(m => (File: f, Name: m.Groups[1].Value)))
            .Where(u => shaders.Contains(u.Name)).ToList();
        if (named.Count == 0) return ["the scan found no shader name in src/Graph/Kernels: it is not reading the launchers"];
        return named.Where(u => !SharedKernelPrefixes.Any(p => u.Name.StartsWith(p, StringComparison.Ordinal)))
            .Select(u => $"{u.File} launches {u.Name}, which only its op uses: launch it from the op's file");
    }

    [GeneratedRegex("\"([a-z0-9_]+)\"")]
    private static partial Regex StringLiteral();

    static IEnumerable<string> RuntimeEmbedsOnlyItsOwn()
    {
        var own = ShaderLibrary.NamesIn(typeof(ShaderLibrary).Assembly).ToHashSet();
        var others = ShaderFiles().Where(f => !f.StartsWith("src/Shaders/", StringComparison.Ordinal)).Select(f => Path.GetFileNameWithoutExtension(f));
        return own.Where(n => n.StartsWith("viewer_", StringComparison.Ordinal) || n.StartsWith("host_", StringComparison.Ordinal))
            .Concat(others.Where(own.Contains)).Select(n => $"spv/{n}.spv in VkResNet.Runtime");
    }

    // ---- the scan ----

    static readonly Lazy<string> RootDir = new(() =>
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "VkResNet.sln"))) return d.FullName;
        throw new InvalidOperationException($"No VkResNet.sln above {AppContext.BaseDirectory}.");
    });

    static string Rel(string full) => Path.GetRelativePath(RootDir.Value, full).Replace('\\', '/');

    /// <summary>.cs files under the folders (repo-relative), build outputs left out.</summary>
    static IEnumerable<string> Files(params string[] folders) => Matching("*.cs", folders);

    /// <summary>Every compute shader source of the product: the runtime's, the viewer's and the samples'.</summary>
    static IEnumerable<string> ShaderFiles() => Matching("*.comp", "src", "samples");

    static IEnumerable<string> Matching(string pattern, params string[] folders) =>
        folders.Select(f => Path.Combine(RootDir.Value, f)).Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, pattern, SearchOption.AllDirectories)).Select(Rel)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    static IEnumerable<string> ProjectFiles() =>
        Directory.EnumerateFiles(RootDir.Value, "*.csproj", SearchOption.AllDirectories).Select(Rel)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal));

    static IEnumerable<string> ProjectRefPaths(string csproj)
    {
        string dir = Path.GetDirectoryName(Path.Combine(RootDir.Value, csproj))!;
        return XDocument.Load(Path.Combine(RootDir.Value, csproj)).Descendants("ProjectReference")
            .Select(e => Rel(Path.GetFullPath(Path.Combine(dir, e.Attribute("Include")!.Value.Replace('\\', '/')))));
    }

    /// <summary>Assembly names of the projects <paramref name="csproj"/> references (file name without .csproj).</summary>
    static IEnumerable<string> ProjectRefs(string csproj) => ProjectRefPaths(csproj).Select(Path.GetFileNameWithoutExtension)!;

    static readonly Dictionary<string, string> CodeCache = [];

    /// <summary>The file without comment lines, so a rule reads code, not prose.</summary>
    static string Code(string file)
    {
        lock (CodeCache)
        {
            if (!CodeCache.TryGetValue(file, out string? code))
                CodeCache[file] = code = string.Join('\n', File.ReadLines(Path.Combine(RootDir.Value, file))
                    .Where(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal)));
            return code;
        }
    }

    public readonly record struct NameUse(string File, string Ns, string Text);

    /// <summary>Every VkResNet name a file uses (a namespace, or a type under it: rules check by prefix): using lines (static and alias too) and qualified names, its own namespace line left out.</summary>
    static IEnumerable<NameUse> Names(string folder) =>
        Files(folder).SelectMany(f => Code(f).Split('\n')
            .Where(l => !l.TrimStart().StartsWith("namespace ", StringComparison.Ordinal))
            .SelectMany(l => QualifiedName().Matches(l).Select(m => new NameUse(f, m.Value, l.Trim()))));

    static bool Under(string ns, string room) => ns == room || ns.StartsWith(room + ".", StringComparison.Ordinal);
    static bool UnderAny(string ns, params string[] rooms) => rooms.Any(r => Under(ns, r));
    static string Show(NameUse n) => $"{n.File}: {n.Text}";

    [GeneratedRegex(@"\bVkResNet(\.[A-Z]\w*)+")]
    private static partial Regex QualifiedName();

    [GeneratedRegex(@"\b(record|class|enum)\s+(ResNetArch|BlockKind|BatchNormFolding)\b")]
    private static partial Regex OwnDeclaration();

    // A raw call passes a create-info pointer: CreateInstance(&info, ...) or CreateDevice(physical, &info, ...);
    // VulkanContext.CreateDevice(selector) is the runtime's own API and does not match.
    [GeneratedRegex(@"\.Create(Instance|Device)\(\s*(&|[A-Za-z_]\w*\s*,\s*&)")]
    private static partial Regex RawCreate();

    // A tolerance helper is a Close/AssertClose method or a RefAssert/Tolerance class that computes the bound itself;
    // thin wrappers that forward to Tolerance (OpsTestKit, TestImport) do not count.
    [GeneratedRegex(@"\bclass\s+(RefAssert|Tolerance)\b|\bstatic\s+void\s+(AssertClose|Close)\s*\(")]
    private static partial Regex ToleranceHelper();

    [GeneratedRegex(@"\+\s*\w+\s*\*\s*Math\.Abs\(")]
    private static partial Regex ToleranceFormula();

    [GeneratedRegex(@"\b(GetEnvironmentVariables?|ExpandEnvironmentVariables)\b")]
    private static partial Regex EnvironmentRead();

    // The process-environment overloads (no argument); FromEnvironment(lookup) over a given dictionary reads nothing.
    [GeneratedRegex(@"\b(Switches|RuntimeSwitches|MpiLaunch)\s*\.\s*FromEnvironment\s*\(\s*\)")]
    private static partial Regex ReaderCall();

    // A barrier method of CommandList (or the recorder) called on something: FullBarrier(), TransferToHostBarrier(), Barrier(kind or masks).
    [GeneratedRegex(@"\.\s*(Full|Compute|TransferToCompute|ComputeToTransfer|TransferToHost|ComputeToHost)?Barrier\s*\(")]
    private static partial Regex BarrierCall();

    [GeneratedRegex(@"\b(CommandList|CommandRecorder)\b")]
    private static partial Regex RecordingTypes();

    [GeneratedRegex(@"Record|Command|Tape|Sink")]
    private static partial Regex RecordingWord();

    // A public type declaration (nested ones too): class, struct, interface, enum, record [struct|class], or a delegate's name.
    [GeneratedRegex(@"\bpublic\s+(?:(?:sealed|static|abstract|partial|readonly|unsafe|ref)\s+)*(?:(?:class|struct|interface|enum|record(?:\s+struct|\s+class)?)\s+(?<name>\w+)|delegate\s+[^(;]*?\b(?<name>\w+)\s*[<(])")]
    private static partial Regex PublicTypeDeclaration();

    /// <summary>The public types the .cs files under the folders declare, by name.</summary>
    static IEnumerable<(string File, string Name)> PublicTypes(params string[] folders) =>
        Files(folders).SelectMany(f => PublicTypeDeclaration().Matches(Code(f)).Select(m => (f, m.Groups["name"].Value)));
}
