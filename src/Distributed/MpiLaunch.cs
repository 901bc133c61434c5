namespace VkResNet.Distributed;

/// <summary>
/// Open MPI's launch contract: mpirun starts every rank with OMPI_COMM_WORLD_SIZE, OMPI_COMM_WORLD_RANK and
/// OMPI_COMM_WORLD_LOCAL_RANK set. This is the one place that reads them; the edge (the CLI) reads it once and hands
/// it to <see cref="MpiReducer.Start"/> in <see cref="MpiOptions.Launch"/>.
/// </summary>
/// <param name="UnderMpirun">mpirun started this process (OMPI_COMM_WORLD_SIZE is set)</param>
/// <param name="LocalRank">the rank among those on this host; null: not given (the world rank stands in)</param>
public sealed record MpiLaunch(bool UnderMpirun, int? LocalRank)
{
    /// <summary>The process environment's launch contract.</summary>
    public static MpiLaunch FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    /// <summary>The launch contract of any environment (tests pass a dictionary's lookup).</summary>
    public static MpiLaunch FromEnvironment(Func<string, string?> env) => new(
        env("OMPI_COMM_WORLD_SIZE") != null,
        int.TryParse(env("OMPI_COMM_WORLD_LOCAL_RANK"), out int local) && local >= 0 ? local : null);
}
