namespace VkResNet.Distributed;

/// <summary>How <see cref="MpiReducer.Start"/> joins the MPI job; the edge fills it (the library reads no environment).</summary>
public sealed record MpiOptions
{
    /// <summary>How long a rank waits in a collective before it names the missing rank and fails.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Path of libmpi; null: libmpi.so.40, else libmpi.so (the CLI's edge applies VKRESNET_MPI_LIBRARY).</summary>
    public string? Library { get; init; }

    /// <summary>What mpirun told this process (<see cref="MpiLaunch.FromEnvironment()"/> at the edge).</summary>
    public required MpiLaunch Launch { get; init; }
}
