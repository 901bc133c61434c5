using VkResNet.Runtime.Tests;
using Xunit;

namespace VkResNet.Viewer.Tests;

/// <summary>xunit needs the collection definition in the test assembly itself; this one shares the runtime tests' GpuFixture.</summary>
[CollectionDefinition(GpuCollection.Name)]
public sealed class ViewerGpuCollection : ICollectionFixture<GpuFixture>;
