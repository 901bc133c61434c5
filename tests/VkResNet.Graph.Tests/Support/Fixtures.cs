namespace VkResNet.Graph.Tests.Support;

/// <summary>Finds tests/VkResNet.Graph.Tests/Fixtures from the test binary's folder, so fixtures need no copy step.</summary>
public static class Fixtures
{
    public static string Path(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, "tests", "VkResNet.Graph.Tests", "Fixtures");
            if (Directory.Exists(candidate)) return System.IO.Path.Combine([candidate, .. parts]);
        }
        throw new DirectoryNotFoundException($"tests/VkResNet.Graph.Tests/Fixtures not found above {AppContext.BaseDirectory}");
    }
}
