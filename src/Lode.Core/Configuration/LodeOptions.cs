namespace Lode.Core.Configuration;

/// <summary>
/// The server's configuration: Gitaly's config.toml keys (spec §1.3) as immutable records. Loaded by
/// <see cref="ConfigLoader"/>, checked by <see cref="ConfigValidator"/>; defaults live in <see cref="Defaults"/>.
/// </summary>
public sealed record LodeOptions
{
    public string? SocketPath { get; init; }
    public string? ListenAddr { get; init; }
    public string? TlsListenAddr { get; init; }
    public string? PrometheusListenAddr { get; init; }
    public string? BinDir { get; init; }
    public string? RuntimeDir { get; init; }
    public string? ConfigCommand { get; init; }
    public TimeSpan GracefulRestartTimeout { get; init; } = Defaults.GracefulRestartTimeout;
    public IReadOnlyList<StorageOptions> Storages { get; init; } = [];
    public AuthOptions Auth { get; init; } = new();
    public TlsOptions Tls { get; init; } = new();
    public GitlabOptions Gitlab { get; init; } = new();
    public HooksOptions Hooks { get; init; } = new();
    public GitlabShellOptions GitlabShell { get; init; } = new();
    public LoggingOptions Logging { get; init; } = new();
    public PrometheusOptions Prometheus { get; init; } = new();
    public GitOptions Git { get; init; } = new();
    public IReadOnlyList<ConcurrencyOptions> Concurrency { get; init; } = [];
    public IReadOnlyList<RateLimitingOptions> RateLimiting { get; init; } = [];
    public PackObjectsCacheOptions PackObjectsCache { get; init; } = new();
    public PackObjectsLimitingOptions PackObjectsLimiting { get; init; } = new();
    public DailyMaintenanceOptions DailyMaintenance { get; init; } = new();
    public BackupOptions Backup { get; init; } = new();
    public TimeoutOptions Timeout { get; init; } = new();
    public LimitsOptions Limits { get; init; } = new();
    public LodeHttpOptions Http { get; init; } = new();

    public StorageOptions? FindStorage(string name)
    {
        foreach (var storage in Storages)
        {
            if (storage.Name == name)
            {
                return storage;
            }
        }

        return null;
    }
}

/// <summary>One <c>[[storage]]</c>: a name clients address and the folder holding its repositories.</summary>
public sealed record StorageOptions(string Name, string Path);

/// <summary><c>[auth]</c>: the shared secret; <c>transitioning</c> checks and counts but admits everyone.</summary>
public sealed record AuthOptions
{
    public string Token { get; init; } = "";
    public bool Transitioning { get; init; }
}

/// <summary><c>[tls]</c>: certificate and key (file or inline PEM) for <c>tls_listen_addr</c>.</summary>
public sealed record TlsOptions
{
    public string? CertificatePath { get; init; }
    public string? KeyPath { get; init; }
    public string? Key { get; init; }
}

/// <summary><c>[gitlab]</c>: where GitLab's internal API is and how to authenticate to it.</summary>
public sealed record GitlabOptions
{
    public string? Url { get; init; }
    public string? RelativeUrlRoot { get; init; }
    public string? SecretFile { get; init; }
    public string? Secret { get; init; }
    public GitlabHttpSettings HttpSettings { get; init; } = new();
}

/// <summary><c>[gitlab.http-settings]</c>.</summary>
public sealed record GitlabHttpSettings
{
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(300);
    public string? User { get; init; }
    public string? Password { get; init; }
    public string? CaFile { get; init; }
    public string? CaPath { get; init; }
}

/// <summary><c>[hooks]</c>.</summary>
public sealed record HooksOptions
{
    public string? CustomHooksDir { get; init; }
}

/// <summary><c>[gitlab-shell]</c>: only <c>dir</c>, which gives the defaults of the GitLab secret file and the global hooks.</summary>
public sealed record GitlabShellOptions
{
    public string? Dir { get; init; }
}

/// <summary><c>[logging]</c>: format <c>text</c> (Gitaly's default) or <c>json</c>, and the level.</summary>
public sealed record LoggingOptions
{
    public string Format { get; init; } = "text";
    public string Level { get; init; } = "info";
    public string? Dir { get; init; }
}

/// <summary><c>[prometheus]</c>.</summary>
public sealed record PrometheusOptions
{
    public IReadOnlyList<double> GrpcLatencyBuckets { get; init; } = Defaults.GrpcLatencyBuckets;
}

/// <summary><c>[git]</c> and <c>[[git.config]]</c>.</summary>
public sealed record GitOptions
{
    public string? BinPath { get; init; }
    public bool UseBundledBinaries { get; init; }
    public int CatfileCacheSize { get; init; } = Defaults.CatfileCacheSize;
    public string? SigningKey { get; init; }
    public string? CommitterName { get; init; }
    public string? CommitterEmail { get; init; }
    public IReadOnlyList<GitConfigEntry> Config { get; init; } = [];
}

/// <summary>One admin-provided <c>-c key=value</c>, applied after Lode's own.</summary>
public sealed record GitConfigEntry(string Key, string Value);

/// <summary><c>[[concurrency]]</c>: per-repository concurrency limit of one RPC.</summary>
public sealed record ConcurrencyOptions
{
    public string Rpc { get; init; } = "";
    public int MaxPerRepo { get; init; }
    public int MaxQueueSize { get; init; }
    public TimeSpan MaxQueueWait { get; init; }
}

/// <summary><c>[[rate_limiting]]</c>: token bucket per repository for one RPC.</summary>
public sealed record RateLimitingOptions
{
    public string Rpc { get; init; } = "";
    public TimeSpan Interval { get; init; }
    public int Burst { get; init; }
}

/// <summary><c>[pack_objects_cache]</c>.</summary>
public sealed record PackObjectsCacheOptions
{
    public bool Enabled { get; init; }
    public string? Dir { get; init; }
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromMinutes(5);
    public int MinOccurrences { get; init; } = 1;
}

/// <summary><c>[pack_objects_limiting]</c>.</summary>
public sealed record PackObjectsLimitingOptions
{
    public int MaxConcurrency { get; init; } = 200;
    public int MaxQueueLength { get; init; }
    public TimeSpan MaxQueueWait { get; init; }
}

/// <summary><c>[daily_maintenance]</c>: the window in server local time when repositories are optimized.</summary>
public sealed record DailyMaintenanceOptions
{
    public int StartHour { get; init; } = 12;
    public int StartMinute { get; init; }
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(10);
    public IReadOnlyList<string>? Storages { get; init; }
    public bool Disabled { get; init; }
}

/// <summary><c>[backup]</c>.</summary>
public sealed record BackupOptions
{
    public string? GoCloudUrl { get; init; }
    public string Layout { get; init; } = "pointer";
}

/// <summary><c>[timeout]</c>: negotiation deadlines for upload-pack and upload-archive.</summary>
public sealed record TimeoutOptions
{
    public TimeSpan UploadPackNegotiation { get; init; } = TimeSpan.FromMinutes(10);
    public TimeSpan UploadArchiveNegotiation { get; init; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// <c>[lode.http]</c>: Lode's own smart HTTP listener, so that git can clone, fetch and push without GitLab in front.
/// Not a Gitaly key. Off unless <see cref="ListenAddr"/> is set.
/// </summary>
public sealed record LodeHttpOptions
{
    public string? ListenAddr { get; init; }
}

/// <summary>
/// Lode's own limits in one typed object, as Kestrel's limits: not Gitaly keys, read from <c>[lode.limits]</c>.
/// </summary>
public sealed record LimitsOptions
{
    /// <summary>How many git processes may be in fork/exec at once.</summary>
    public int MaxConcurrentSpawns { get; init; } = Defaults.MaxConcurrentSpawns;

    /// <summary>How long a request may wait for a spawn slot before failing with RESOURCE_EXHAUSTED.</summary>
    public TimeSpan SpawnTimeout { get; init; } = Defaults.SpawnTimeout;

    /// <summary>Largest gRPC message accepted (Gitaly: 4 MiB).</summary>
    public int MaxReceiveMessageSize { get; init; } = Defaults.MaxReceiveMessageSize;

    /// <summary>Bytes of a git child's stderr kept for error messages and logs.</summary>
    public int StderrTailBytes { get; init; } = Defaults.StderrTailBytes;

    /// <summary>How long an idle cached cat-file process lives.</summary>
    public TimeSpan CatfileCacheTtl { get; init; } = Defaults.CatfileCacheTtl;
}
