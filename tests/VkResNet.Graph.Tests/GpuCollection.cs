using VkResNet.Runtime.Tests;
using Xunit;

namespace VkResNet.Graph.Tests;

/// <summary>xunit finds collection fixtures only in the test assembly itself, so this one re-declares the shared GPU collection.</summary>
[CollectionDefinition(GpuCollection.Name)]
public sealed class GraphGpuCollection : ICollectionFixture<GpuFixture>;
