namespace Lode.Core.Configuration;

/// <summary>Every default in one place, with where it comes from.</summary>
public static class Defaults
{
    /// <summary>Gitaly's default port; the embedded default binds it on loopback only.</summary>
    public const string ListenAddr = "127.0.0.1:8075";

    /// <summary>The one storage of the embedded default (what GitLab calls the default storage).</summary>
    public const string StorageName = "default";

    /// <summary>The embedded default's data folder, relative to the working directory.</summary>
    public const string DataDir = "data";

    /// <summary>Gitaly: graceful_restart_timeout = 1m.</summary>
    public static readonly TimeSpan GracefulRestartTimeout = TimeSpan.FromMinutes(1);

    /// <summary>Gitaly: [git] catfile_cache_size = 100.</summary>
    public const int CatfileCacheSize = 100;

    /// <summary>Gitaly re-caches a returned cat-file process for 10 s.</summary>
    public static readonly TimeSpan CatfileCacheTtl = TimeSpan.FromSeconds(10);

    /// <summary>Gitaly's default [prometheus] grpc_latency_buckets.</summary>
    public static readonly IReadOnlyList<double> GrpcLatencyBuckets =
        [0.001, 0.005, 0.025, 0.1, 0.5, 1, 10, 30, 60, 300, 1500];

    /// <summary>Gitaly's gRPC receive limit: 4 MiB.</summary>
    public const int MaxReceiveMessageSize = 4 * 1024 * 1024;

    /// <summary>Concurrent fork/exec calls; Gitaly's spawn token default is 10.</summary>
    public const int MaxConcurrentSpawns = 10;

    /// <summary>How long to wait for a spawn slot (Gitaly: 10 s).</summary>
    public static readonly TimeSpan SpawnTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Enough of git's stderr to explain any failure without letting a noisy child grow memory.</summary>
    public const int StderrTailBytes = 32 * 1024;

    /// <summary>Lists are sent in messages of about this size (style guide §2.7).</summary>
    public const int ChunkBytes = 1024 * 1024;

    /// <summary>The options used by <c>lode serve</c> without a config file.</summary>
    public static LodeOptions Embedded(string workingDirectory, string binDir) => new()
    {
        ListenAddr = ListenAddr,
        BinDir = binDir,
        Storages = [new StorageOptions(StorageName, Path.Combine(workingDirectory, DataDir, "repositories"))],
    };
}
