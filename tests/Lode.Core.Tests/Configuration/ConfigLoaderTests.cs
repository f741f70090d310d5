using Lode.Core.Configuration;

namespace Lode.Core.Tests.Configuration;

public sealed class ConfigLoaderTests
{
    /// <summary>
    /// Shaped like the config.toml Omnibus GitLab generates for Gitaly (single quotes, its section order), with every
    /// section an operator is likely to have, two typos, and values that differ from the defaults so that a key
    /// that is silently dropped shows up as a default.
    /// </summary>
    private const string OmnibusConfig = """
        # Gitaly configuration file
        # This file is managed by gitlab-ctl. Manual changes will be
        # erased! To change the contents below, edit /etc/gitlab/gitlab.rb
        # and run `sudo gitlab-ctl reconfigure`.

        socket_path = '/var/opt/gitlab/gitaly/gitaly.socket'
        runtime_dir = '/var/opt/gitlab/gitaly/run'
        listen_addr = 'localhost:8075'
        tls_listen_addr = '0.0.0.0:9999'
        prometheus_listen_addr = 'localhost:9236'
        bin_dir = '/opt/gitlab/embedded/bin'
        graceful_restart_timeout = '1m30s'
        internal_socket_dir = '/var/opt/gitlab/gitaly/internal_sockets'
        listen_adress = 'localhost:8076'

        [auth]
        token = 'abc123secret'
        transitioning = true

        [tls]
        certificate_path = '/etc/gitlab/ssl/gitaly.crt'
        key_path = '/etc/gitlab/ssl/gitaly.key'

        [[storage]]
        name = 'default'
        path = '/var/opt/gitlab/git-data/repositories'

        [[storage]]
        name = 'storage2'
        path = '/mnt/gitaly/storage2'

        [logging]
        dir = '/var/log/gitlab/gitaly'
        format = 'json'
        level = 'warn'
        levle = 'debug'
        sentry_dsn = 'https://sentry.example.com/1'
        sentry_environment = 'production'

        [prometheus]
        grpc_latency_buckets = [0.001, 0.005, 0.025, 0.1, 0.5, 1.0, 10.0, 30.0, 60.0, 300.0, 1500.0, 3000]

        [git]
        bin_path = '/opt/gitlab/embedded/bin/git'
        catfile_cache_size = 50
        use_bundled_binaries = true
        ignore_gitconfig = true
        signing_key = '/etc/gitlab/gitaly/signing_key.gpg'
        committer_name = 'GitLab'
        committer_email = 'noreply@gitlab.example.com'

        [[git.config]]
        key = 'pack.threads'
        value = '4'

        [[git.config]]
        key = 'receive.advertisePushOptions'
        value = 'true'

        [gitlab-shell]
        dir = '/opt/gitlab/embedded/service/gitlab-shell'

        [hooks]
        custom_hooks_dir = '/var/opt/gitlab/gitaly/custom_hooks'

        [gitlab]
        secret_file = '/var/opt/gitlab/gitlab-shell/.gitlab_shell_secret'
        url = 'http+unix://%2Fvar%2Fopt%2Fgitlab%2Fgitlab-workhorse%2Fsockets%2Fsocket'
        relative_url_root = '/gitlab'

        [gitlab.http-settings]
        read_timeout = 120
        user = 'gitlab-basic'
        password = 'basic-pw'
        ca_file = '/etc/gitlab/trusted-certs/ca.pem'
        ca_path = '/etc/gitlab/trusted-certs'

        [[concurrency]]
        rpc = '/gitaly.SmartHTTPService/PostUploadPackWithSidechannel'
        max_per_repo = 20
        max_queue_size = 100
        max_queue_wait = '1m'

        [[concurrency]]
        rpc = '/gitaly.SSHService/SSHUploadPackWithSidechannel'
        adaptive = true
        min_limit = 5
        max_limit = 40
        initial_limit = 20
        max_queue_size = 50

        [[rate_limiting]]
        rpc = '/gitaly.RepositoryService/OptimizeRepository'
        interval = '1m'
        burst = 2

        [pack_objects_cache]
        enabled = true
        dir = '/var/opt/gitlab/git-data/repositories/+gitaly/PackObjectsCache'
        max_age = '10m'
        min_occurrences = 2

        [pack_objects_limiting]
        max_concurrency = 100
        max_queue_length = 300
        max_queue_wait = '30s'

        [daily_maintenance]
        start_hour = 22
        start_minute = 30
        duration = '45m'
        storages = ['default', 'storage2']
        disabled = false

        [backup]
        go_cloud_url = 's3://gitaly-backups?region=us-east-1'
        layout = 'manifest'

        [timeout]
        upload_pack_negotiation = '5m'
        upload_archive_negotiation = '90s'

        [cgroups]
        mountpoint = '/sys/fs/cgroup'
        hierarchy_root = 'gitaly'
        memory_bytes = 64424509440
        cpu_shares = 1024

        [cgroups.repositories]
        count = 1000
        memory_bytes = 32212254720
        cpu_shares = 512
        """;

    [Fact]
    public void Load_OmnibusConfig_EveryValueLandsInOptions()
    {
        var result = ConfigLoader.Load(OmnibusConfig);

        Assert.Empty(result.Errors);
        var o = result.Options;
        Assert.Equal("/var/opt/gitlab/gitaly/gitaly.socket", o.SocketPath);
        Assert.Equal("/var/opt/gitlab/gitaly/run", o.RuntimeDir);
        Assert.Equal("localhost:8075", o.ListenAddr);
        Assert.Equal("0.0.0.0:9999", o.TlsListenAddr);
        Assert.Equal("localhost:9236", o.PrometheusListenAddr);
        Assert.Equal("/opt/gitlab/embedded/bin", o.BinDir);
        Assert.Null(o.ConfigCommand);
        Assert.Equal(TimeSpan.FromSeconds(90), o.GracefulRestartTimeout);

        Assert.Equal(
            [new StorageOptions("default", "/var/opt/gitlab/git-data/repositories"), new StorageOptions("storage2", "/mnt/gitaly/storage2")],
            o.Storages);

        Assert.Equal(new AuthOptions { Token = "abc123secret", Transitioning = true }, o.Auth);
        Assert.Equal(new TlsOptions { CertificatePath = "/etc/gitlab/ssl/gitaly.crt", KeyPath = "/etc/gitlab/ssl/gitaly.key" }, o.Tls);

        Assert.Equal("http+unix://%2Fvar%2Fopt%2Fgitlab%2Fgitlab-workhorse%2Fsockets%2Fsocket", o.Gitlab.Url);
        Assert.Equal("/gitlab", o.Gitlab.RelativeUrlRoot);
        Assert.Equal("/var/opt/gitlab/gitlab-shell/.gitlab_shell_secret", o.Gitlab.SecretFile);
        Assert.Equal("/opt/gitlab/embedded/service/gitlab-shell", o.GitlabShell.Dir);
        Assert.Equal("/opt/gitlab/embedded/service/gitlab-shell/hooks", GitlabDefaults.CustomHooksDir(o with { Hooks = new HooksOptions() }));
        Assert.Null(o.Gitlab.Secret);
        Assert.Equal(new GitlabHttpSettings
        {
            ReadTimeout = TimeSpan.FromSeconds(120),
            User = "gitlab-basic",
            Password = "basic-pw",
            CaFile = "/etc/gitlab/trusted-certs/ca.pem",
            CaPath = "/etc/gitlab/trusted-certs",
        }, o.Gitlab.HttpSettings);

        Assert.Equal("/var/opt/gitlab/gitaly/custom_hooks", o.Hooks.CustomHooksDir);
        Assert.Equal(new LoggingOptions { Dir = "/var/log/gitlab/gitaly", Format = "json", Level = "warn" }, o.Logging);
        Assert.Equal([0.001, 0.005, 0.025, 0.1, 0.5, 1, 10, 30, 60, 300, 1500, 3000], o.Prometheus.GrpcLatencyBuckets);

        Assert.Equal("/opt/gitlab/embedded/bin/git", o.Git.BinPath);
        Assert.Equal(50, o.Git.CatfileCacheSize);
        Assert.True(o.Git.UseBundledBinaries);
        Assert.Equal("/etc/gitlab/gitaly/signing_key.gpg", o.Git.SigningKey);
        Assert.Equal("GitLab", o.Git.CommitterName);
        Assert.Equal("noreply@gitlab.example.com", o.Git.CommitterEmail);
        Assert.Equal([new GitConfigEntry("pack.threads", "4"), new GitConfigEntry("receive.advertisePushOptions", "true")], o.Git.Config);

        Assert.Equal(
            [
                new ConcurrencyOptions
                {
                    Rpc = "/gitaly.SmartHTTPService/PostUploadPackWithSidechannel",
                    MaxPerRepo = 20,
                    MaxQueueSize = 100,
                    MaxQueueWait = TimeSpan.FromMinutes(1),
                },
                new ConcurrencyOptions { Rpc = "/gitaly.SSHService/SSHUploadPackWithSidechannel", MaxQueueSize = 50 },
            ],
            o.Concurrency);
        Assert.Equal(
            [new RateLimitingOptions { Rpc = "/gitaly.RepositoryService/OptimizeRepository", Interval = TimeSpan.FromMinutes(1), Burst = 2 }],
            o.RateLimiting);

        Assert.Equal(new PackObjectsCacheOptions
        {
            Enabled = true,
            Dir = "/var/opt/gitlab/git-data/repositories/+gitaly/PackObjectsCache",
            MaxAge = TimeSpan.FromMinutes(10),
            MinOccurrences = 2,
        }, o.PackObjectsCache);
        Assert.Equal(new PackObjectsLimitingOptions { MaxConcurrency = 100, MaxQueueLength = 300, MaxQueueWait = TimeSpan.FromSeconds(30) },
            o.PackObjectsLimiting);

        Assert.Equal(22, o.DailyMaintenance.StartHour);
        Assert.Equal(30, o.DailyMaintenance.StartMinute);
        Assert.Equal(TimeSpan.FromMinutes(45), o.DailyMaintenance.Duration);
        Assert.Equal(["default", "storage2"], o.DailyMaintenance.Storages!);
        Assert.False(o.DailyMaintenance.Disabled);

        Assert.Equal(new BackupOptions { GoCloudUrl = "s3://gitaly-backups?region=us-east-1", Layout = "manifest" }, o.Backup);
        Assert.Equal(new TimeoutOptions { UploadPackNegotiation = TimeSpan.FromMinutes(5), UploadArchiveNegotiation = TimeSpan.FromSeconds(90) },
            o.Timeout);
        Assert.Equal(new LimitsOptions(), o.Limits);
    }

    [Fact]
    public void Load_OmnibusConfig_ReportsKeysNotActedOnAndTypos()
    {
        var result = ConfigLoader.Load(OmnibusConfig);

        // Gitaly keys Lode does not read, and keys it reads whose feature is not built yet.
        Assert.Equal(
            [
                "backup", "cgroups", "concurrency", "daily_maintenance", "git.committer_email", "git.committer_name",
                "git.ignore_gitconfig", "git.use_bundled_binaries", "internal_socket_dir",
                "logging.dir", "logging.sentry_dsn", "logging.sentry_environment", "pack_objects_cache",
                "pack_objects_limiting", "rate_limiting",
            ],
            result.NotActedOnKeys.Order(StringComparer.Ordinal));
        Assert.Equal(["listen_adress", "logging.levle"], result.UnknownKeys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Load_EmptyText_GivesDefaults()
    {
        var result = ConfigLoader.Load("");

        Assert.Empty(result.Errors);
        Assert.Empty(result.NotActedOnKeys);
        Assert.Empty(result.UnknownKeys);
        var o = result.Options;
        Assert.Null(o.ListenAddr);
        Assert.Empty(o.Storages);
        Assert.Equal(Defaults.GracefulRestartTimeout, o.GracefulRestartTimeout);
        Assert.Equal("text", o.Logging.Format);
        Assert.Equal("info", o.Logging.Level);
        Assert.Equal(Defaults.GrpcLatencyBuckets, o.Prometheus.GrpcLatencyBuckets);
        Assert.Equal(Defaults.CatfileCacheSize, o.Git.CatfileCacheSize);
        Assert.Equal(TimeSpan.FromSeconds(300), o.Gitlab.HttpSettings.ReadTimeout);
        Assert.Equal(12, o.DailyMaintenance.StartHour);
        Assert.Equal(TimeSpan.FromMinutes(10), o.DailyMaintenance.Duration);
        Assert.Null(o.DailyMaintenance.Storages);
        Assert.Equal("pointer", o.Backup.Layout);
        Assert.Equal(200, o.PackObjectsLimiting.MaxConcurrency);
        Assert.Equal(TimeSpan.FromMinutes(10), o.Timeout.UploadPackNegotiation);
        Assert.Equal(TimeSpan.FromMinutes(1), o.Timeout.UploadArchiveNegotiation);
    }

    [Fact]
    public void Load_SectionsWithoutValues_KeepDefaults()
    {
        var result = ConfigLoader.Load("""
            [logging]
            [prometheus]
            [git]
            [gitlab]
            [pack_objects_cache]
            [daily_maintenance]
            [backup]
            [timeout]
            """);

        Assert.Empty(result.Errors);
        var o = result.Options;
        Assert.Equal(new LoggingOptions(), o.Logging);
        Assert.Equal(Defaults.GrpcLatencyBuckets, o.Prometheus.GrpcLatencyBuckets);
        Assert.Equal(Defaults.CatfileCacheSize, o.Git.CatfileCacheSize);
        Assert.Equal(new GitlabHttpSettings(), o.Gitlab.HttpSettings);
        Assert.Equal(new PackObjectsCacheOptions(), o.PackObjectsCache);
        Assert.Equal(new DailyMaintenanceOptions(), o.DailyMaintenance);
        Assert.Equal(new BackupOptions(), o.Backup);
        Assert.Equal(new TimeoutOptions(), o.Timeout);
    }

    [Fact]
    public void Load_LodeLimits_ReadsLodeOwnSection()
    {
        var result = ConfigLoader.Load("""
            [lode.limits]
            max_concurrent_spawns = 4
            spawn_timeout = '3s'
            max_receive_message_size = 8388608
            stderr_tail_bytes = 1024
            catfile_cache_ttl = '30s'
            """);

        Assert.Empty(result.Errors);
        Assert.Empty(result.UnknownKeys);
        Assert.Equal(new LimitsOptions
        {
            MaxConcurrentSpawns = 4,
            SpawnTimeout = TimeSpan.FromSeconds(3),
            MaxReceiveMessageSize = 8 * 1024 * 1024,
            StderrTailBytes = 1024,
            CatfileCacheTtl = TimeSpan.FromSeconds(30),
        }, result.Options.Limits);
    }

    [Fact]
    public void Load_InlineStorageArray_IsAcceptedLikeTableArray()
    {
        var result = ConfigLoader.Load("storage = [{ name = 'a', path = '/a' }, { name = 'b', path = '/b' }]");

        Assert.Empty(result.Errors);
        Assert.Equal([new StorageOptions("a", "/a"), new StorageOptions("b", "/b")], result.Options.Storages);
    }

    [Fact]
    public void Load_UnknownKeyInStorage_ReportedWithItsPath()
    {
        var result = ConfigLoader.Load("""
            [[storage]]
            name = 'default'
            paht = '/x'
            """);

        Assert.Empty(result.Errors);
        Assert.Equal(["storage.paht"], result.UnknownKeys);
        Assert.Equal("", result.Options.Storages[0].Path);
    }

    [Theory]
    [InlineData("listen_addr = ")]
    [InlineData("[[storage]\nname = 'x'")]
    [InlineData("listen_addr = 'a'\nlisten_addr = 'b'")]
    [InlineData("[auth]\ntoken = 'a'\n[auth]\ntransitioning = true")]
    [InlineData("[auth]\ntoken = 'a'\n[auth]\ntoken = 'b'")]
    [InlineData("bin_dir = '/a'\n[bin_dir]\nx = 1")]
    [InlineData("logging.format = 'json'\n[logging]\nlevel = 'info'")]
    [InlineData("this is not toml")]
    [InlineData("[auth]\ntoken = \"unterminated\n")]
    public void Load_SyntaxError_GivesOneError(string text)
    {
        var result = ConfigLoader.Load(text);

        var error = Assert.Single(result.Errors);
        Assert.Empty(error.Key);
        Assert.StartsWith("invalid TOML: ", error.Message, StringComparison.Ordinal);
        Assert.Empty(result.NotActedOnKeys);
        Assert.Empty(result.UnknownKeys);
    }

    public static TheoryData<string, string[], string> WrongTypes => new()
    {
        { "listen_addr = 5", ["listen_addr"], "expected a string" },
        { "socket_path = true", ["socket_path"], "expected a string" },
        { "bin_dir = ['/a']", ["bin_dir"], "expected a string" },
        { "storage = 'default'", ["storage"], "expected an array of tables" },
        { "storage = ['default']", ["storage"], "expected an array of tables" },
        { "[[storage]]\nname = 1\npath = '/x'", ["storage", "name"], "expected a string" },
        { "auth = 'token'", ["auth"], "expected a table" },
        { "[auth]\ntransitioning = 'yes'", ["auth", "transitioning"], "expected a boolean" },
        { "[git]\ncatfile_cache_size = 'big'", ["git", "catfile_cache_size"], "expected an integer" },
        { "[git]\ncatfile_cache_size = 1.5", ["git", "catfile_cache_size"], "expected an integer" },
        { "[git]\ncatfile_cache_size = 3000000000", ["git", "catfile_cache_size"], "value out of range" },
        { "[prometheus]\ngrpc_latency_buckets = 1", ["prometheus", "grpc_latency_buckets"], "expected an array of numbers" },
        { "[prometheus]\ngrpc_latency_buckets = ['fast']", ["prometheus", "grpc_latency_buckets"], "expected an array of numbers" },
        { "[daily_maintenance]\nstorages = [1]", ["daily_maintenance", "storages"], "expected an array of strings" },
        { "[gitlab.http-settings]\nread_timeout = '5m'", ["gitlab", "http-settings", "read_timeout"], "expected an integer" },
        { "graceful_restart_timeout = true", ["graceful_restart_timeout"], "expected a duration string such as \"1m\"" },
        { "graceful_restart_timeout = 'soon'", ["graceful_restart_timeout"], "invalid duration \"soon\"" },
        { "[[concurrency]]\nrpc = '/gitaly.X/Y'\nmax_queue_wait = '1 minute'", ["concurrency", "max_queue_wait"], "invalid duration \"1 minute\"" },
        { "[timeout]\nupload_pack_negotiation = '10'", ["timeout", "upload_pack_negotiation"], "invalid duration \"10\"" },
    };

    [Theory]
    [MemberData(nameof(WrongTypes))]
    public void Load_WrongType_ErrorNamesTheKey(string text, string[] key, string message)
    {
        var result = ConfigLoader.Load(text);

        var error = Assert.Single(result.Errors);
        Assert.Equal(key, error.Key);
        Assert.Equal(message, error.Message);
        Assert.Equal(string.Join('.', key) + ": " + message, error.ToString());
    }

    [Fact]
    public void Load_SeveralWrongTypes_ReportsEach()
    {
        var result = ConfigLoader.Load("""
            listen_addr = 5
            [logging]
            level = 3
            [git]
            catfile_cache_size = 'x'
            """);

        Assert.Equal(
            ["git.catfile_cache_size", "listen_addr", "logging.level"],
            result.Errors.Select(e => e.KeyText).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Load_WrongType_KeyIsNotAlsoReportedUnknown()
    {
        var result = ConfigLoader.Load("listen_addr = 5");

        Assert.Empty(result.UnknownKeys);
        Assert.Null(result.Options.ListenAddr);
    }

    [Theory]
    [InlineData("'1m30s'", 90_000)]
    [InlineData("'250ms'", 250)]
    [InlineData("'1.5h'", 5_400_000)]
    [InlineData("'0'", 0)]
    [InlineData("'0.57s'", 570)]
    [InlineData("45", 45_000)]
    public void Load_GoDuration_Parsed(string toml, long milliseconds)
    {
        var result = ConfigLoader.Load("graceful_restart_timeout = " + toml);

        Assert.Empty(result.Errors);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), result.Options.GracefulRestartTimeout);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("1m30")]
    [InlineData("ten seconds")]
    [InlineData("")]
    public void Load_InvalidGoDuration_ErrorNamesKeyAndValue(string value)
    {
        var result = ConfigLoader.Load($"graceful_restart_timeout = '{value}'");

        var error = Assert.Single(result.Errors);
        Assert.Equal(["graceful_restart_timeout"], error.Key);
        Assert.Equal($"invalid duration \"{value}\"", error.Message);
        Assert.Equal(Defaults.GracefulRestartTimeout, result.Options.GracefulRestartTimeout);
    }

    [Fact]
    public void Load_EmptyLoggingValues_FallBackToDefaults()
    {
        var result = ConfigLoader.Load("[logging]\nformat = ''\nlevel = ''");

        Assert.Empty(result.Errors);
        Assert.Equal("text", result.Options.Logging.Format);
        Assert.Equal("info", result.Options.Logging.Level);
    }

    [Fact]
    public void LoadFile_MissingFile_ErrorNamesPath()
    {
        using var temp = new TempDir();
        var path = temp.Combine("missing.toml");

        var result = ConfigLoader.LoadFile(path);

        var error = Assert.Single(result.Errors);
        Assert.Empty(error.Key);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFile_ExistingFile_LoadsIt()
    {
        using var temp = new TempDir();
        var path = temp.File("config.toml", "listen_addr = 'localhost:1234'\n");

        var result = ConfigLoader.LoadFile(path);

        Assert.Empty(result.Errors);
        Assert.Equal("localhost:1234", result.Options.ListenAddr);
    }
}
