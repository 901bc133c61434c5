using VkResNet.Graph.Ops;
using VkResNet.Graph.Tests.Network;
using Xunit;

namespace VkResNet.Graph.Tests.TorchOps;

/// <summary>
/// The checked-in tests/fixtures/torch_ops.safetensors is what tests/reference/make_op_fixtures.py makes:
/// the script regenerates every case in memory with Debian's PyTorch and compares names, shapes, metadata and
/// values (within 1e-12 of each tensor's scale). Without torch the test fails with the command to install it
/// (scripts/setup.sh installs python3-torch), never skips, as the importer fixtures do.
/// </summary>
public sealed class TorchOpFixtureScriptTests
{
    [Fact]
    public void Checked_in_op_fixture_matches_its_script()
    {
        string root = Path.GetDirectoryName(Path.GetDirectoryName(Fixture.Folder))!;
        var (exit, output) = TorchScripts.RunPython(root, "tests/reference/make_op_fixtures.py", "--check", Path.Combine(Fixture.Folder, TorchOpFixture.FileName));
        Assert.True(exit == 0, $"make_op_fixtures.py --check failed (exit {exit}):\n{output}");
        Assert.Contains("match the script", output);
    }
}
