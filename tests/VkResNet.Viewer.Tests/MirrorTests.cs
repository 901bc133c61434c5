using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using VkResNet.Viewer.Rendering;
using Xunit;

namespace VkResNet.Viewer.Tests;

/// <summary>The C# mirrors of viewer_params.glsl keep its field order and sizes.</summary>
public sealed class MirrorTests
{
    static string Include(string name) => File.ReadAllText(Path.Combine(RepoRoot(), "src", "Viewer", "Shaders", "include", name));

    public static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d != null && !File.Exists(Path.Combine(d.FullName, "VkResNet.sln"))) d = d.Parent;
        return d?.FullName ?? throw new DirectoryNotFoundException("VkResNet.sln not found above the test binaries.");
    }

    static string[] GlslFields(string source, string structName)
    {
        var body = Regex.Match(source, $@"struct {structName}\s*\{{(.*?)\}};", RegexOptions.Singleline);
        Assert.True(body.Success, $"struct {structName} not found");
        return Regex.Matches(body.Groups[1].Value, @"int\s+([^;]+);").SelectMany(m => m.Groups[1].Value.Split(',').Select(s => s.Trim())).ToArray();
    }

    [Theory]
    [InlineData(typeof(ViewParams), "ViewParams")]
    [InlineData(typeof(Label), "Label")]
    public void Csharp_mirror_has_the_glsl_fields_in_order(Type type, string glslName)
    {
        string[] glsl = GlslFields(Include("viewer_params.glsl"), glslName);
        string[] cs = type.GetFields(BindingFlags.Public | BindingFlags.Instance).Select(f => f.Name).ToArray();
        Assert.Equal(glsl, cs);
        Assert.Equal(4 * glsl.Length, Marshal.SizeOf(type));
    }

    [Fact]
    public void Max_labels_agree()
    {
        Assert.Matches($@"MAX_LABELS = {FrameRenderer.MaxLabels};", Include("viewer_params.glsl"));
    }
}
