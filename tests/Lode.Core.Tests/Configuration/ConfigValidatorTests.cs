using Lode.Core.Configuration;

namespace Lode.Core.Tests.Configuration;

/// <summary>
/// One test per rule of ConfigValidator (spec §1.1, §1.3, plus Lode's own rules). Each starts from a valid config,
/// breaks exactly one thing, and asserts the single error's key path and message.
/// </summary>
public sealed class ConfigValidatorTests : IDisposable
{
    private readonly TempDir temp = new();
    private readonly string binDir;
    private readonly string storagePath;

    public ConfigValidatorTests()
    {
        binDir = temp.Dir("bin");
        storagePath = temp.Dir("storages", "default");
    }

    public void Dispose() => temp.Dispose();

    private LodeOptions Valid() => new()
    {
        ListenAddr = "127.0.0.1:8075",
        BinDir = binDir,
        Storages = [new StorageOptions("default", storagePath)],
    };

    private static void AssertSingleError(LodeOptions options, string[] key, string message)
    {
        var errors = ConfigValidator.Validate(options);
        var error = Assert.Single(errors);
        Assert.Equal(key, error.Key);
        Assert.Equal(message, error.Message);
    }

    private static void AssertValid(LodeOptions options) => Assert.Empty(ConfigValidator.Validate(options));

    // ---- a valid config ----

    [Fact]
    public void Validate_MinimalConfig_NoErrors() => AssertValid(Valid());

    [Fact]
    public void Validate_FullyConfiguredFromToml_NoErrors()
    {
        var cert = temp.File("tls/cert.pem", "cert");
        var key = temp.File("tls/key.pem", "key");
        var secret = temp.File("gitlab-shell/.gitlab_shell_secret", "s3cret");
        var caFile = temp.File("certs/ca.pem", "ca");
        var caPath = temp.Dir("certs");
        var git = temp.File("git/bin/git", "");
        var runtime = temp.Dir("run");
        var storage2 = temp.Dir("storages", "storage2");
        var hooks = temp.Dir("custom_hooks");

        var loaded = ConfigLoader.Load($"""
            socket_path = '{temp.Combine("gitaly.socket")}'
            listen_addr = '0.0.0.0:8075'
            tls_listen_addr = '[::]:9999'
            prometheus_listen_addr = '0.0.0.0:9236'
            bin_dir = '{binDir}'
            runtime_dir = '{runtime}'
            graceful_restart_timeout = '30s'

            [auth]
            token = 'secret'

            [tls]
            certificate_path = '{cert}'
            key_path = '{key}'

            [[storage]]
            name = 'default'
            path = '{storagePath}'

            [[storage]]
            name = 'storage2'
            path = '{storage2}/'

            [[storage]]
            name = 'alias-of-default'
            path = '{storagePath}'

            [logging]
            format = 'json'
            level = 'warn'

            [prometheus]
            grpc_latency_buckets = [0.01, 0.1, 1, 10]

            [git]
            bin_path = '{git}'
            catfile_cache_size = 0

            [[git.config]]
            key = 'core.fsync'
            value = 'objects,derived-metadata,reference'

            [[git.config]]
            key = 'http.https://example.com.proxy'
            value = 'http://proxy:3128'

            [hooks]
            custom_hooks_dir = '{hooks}'

            [gitlab]
            url = 'https://gitlab.example.com'
            secret_file = '{secret}'

            [gitlab.http-settings]
            user = 'u'
            password = 'p'
            ca_file = '{caFile}'
            ca_path = '{caPath}'

            [[concurrency]]
            rpc = '/gitaly.SmartHTTPService/PostUploadPackWithSidechannel'
            max_per_repo = 20
            max_queue_size = 0
            max_queue_wait = '0'

            [[rate_limiting]]
            rpc = '/gitaly.RepositoryService/OptimizeRepository'
            interval = '1m'
            burst = 1

            [pack_objects_cache]
            enabled = true
            dir = '{temp.Combine("poc")}'

            [daily_maintenance]
            start_hour = 23
            start_minute = 59
            duration = '24h'
            storages = ['default', 'storage2']

            [backup]
            layout = 'manifest'

            [lode.limits]
            max_concurrent_spawns = 1
            max_receive_message_size = 1024
            """);

        Assert.Empty(loaded.Errors);
        Assert.Empty(loaded.UnknownKeys);
        AssertValid(loaded.Options);
    }

    [Fact]
    public void Validate_ManyProblems_ReportsAll()
    {
        var options = Valid() with
        {
            ListenAddr = null,
            BinDir = null,
            Storages = [new StorageOptions("default", temp.Combine("missing"))],
            Logging = new LoggingOptions { Format = "yaml" },
            Git = new GitOptions { CatfileCacheSize = -1 },
        };

        var errors = ConfigValidator.Validate(options);

        Assert.Equal(
            ["", "bin_dir", "storage.path", "logging.format", "git.catfile_cache_size"],
            errors.Select(e => e.KeyText));
    }

    // ---- listeners ----

    [Fact]
    public void Validate_NoListener_Error() =>
        AssertSingleError(Valid() with { ListenAddr = null }, [], "at least one of socket_path, listen_addr or tls_listen_addr must be set");

    [Fact]
    public void Validate_EmptyListenAddr_CountsAsNoListener() =>
        AssertSingleError(Valid() with { ListenAddr = "" }, [], "at least one of socket_path, listen_addr or tls_listen_addr must be set");

    [Fact]
    public void Validate_OnlySocketPath_NoErrors() =>
        AssertValid(Valid() with { ListenAddr = null, SocketPath = temp.Combine("gitaly.socket") });

    [Fact]
    public void Validate_OnlyPrometheusListenAddr_NoListenerError() =>
        AssertSingleError(Valid() with { ListenAddr = null, PrometheusListenAddr = "localhost:9236" }, [],
            "at least one of socket_path, listen_addr or tls_listen_addr must be set");

    [Theory]
    [InlineData("listen_addr", "8075")]
    [InlineData("listen_addr", "localhost")]
    [InlineData("listen_addr", "::1:8075")]
    [InlineData("listen_addr", "localhost:99999")]
    [InlineData("tls_listen_addr", "tcp://localhost:9999")]
    [InlineData("prometheus_listen_addr", "localhost:metrics")]
    public void Validate_InvalidListenAddressSyntax_Error(string key, string value)
    {
        var options = key switch
        {
            "listen_addr" => Valid() with { ListenAddr = value },
            "tls_listen_addr" => Valid() with { TlsListenAddr = value, Tls = ValidTls() },
            _ => Valid() with { PrometheusListenAddr = value },
        };

        AssertSingleError(options, [key], $"invalid address \"{value}\": expected host:port");
    }

    [Theory]
    [InlineData("0.0.0.0:8075")]
    [InlineData(":8075")]
    [InlineData("[::]:8075")]
    [InlineData("10.1.2.3:8075")]
    [InlineData("gitaly.example.com:8075")]
    public void Validate_NonLoopbackListenAddrWithoutToken_Refused(string address) =>
        AssertSingleError(Valid() with { ListenAddr = address }, ["listen_addr"],
            $"refusing to listen on non-loopback address \"{address}\" without an authentication token: " +
            "set [auth] token in the config file or the LODE_AUTH_TOKEN environment variable");

    [Fact]
    public void Validate_NonLoopbackTlsListenAddrWithoutToken_Refused() =>
        AssertSingleError(Valid() with { TlsListenAddr = "0.0.0.0:9999", Tls = ValidTls() }, ["tls_listen_addr"],
            "refusing to listen on non-loopback address \"0.0.0.0:9999\" without an authentication token: " +
            "set [auth] token in the config file or the LODE_AUTH_TOKEN environment variable");

    [Fact]
    public void Validate_NonLoopbackListenAddrWithToken_Accepted() =>
        AssertValid(Valid() with { ListenAddr = "0.0.0.0:8075", Auth = new AuthOptions { Token = "secret" } });

    [Fact]
    public void Validate_NonLoopbackListenAddrWithTransitioningToken_Accepted() =>
        AssertValid(Valid() with { ListenAddr = ":8075", Auth = new AuthOptions { Token = "secret", Transitioning = true } });

    [Theory]
    [InlineData("127.0.0.1:8075")]
    [InlineData("127.0.0.1:0")]
    [InlineData("localhost:8075")]
    [InlineData("[::1]:8075")]
    public void Validate_LoopbackListenAddrWithoutToken_Accepted(string address) =>
        AssertValid(Valid() with { ListenAddr = address });

    [Fact]
    public void Validate_NonLoopbackPrometheusListenAddrWithoutToken_Accepted() =>
        AssertValid(Valid() with { PrometheusListenAddr = "0.0.0.0:9236" });

    [Fact]
    public void Validate_TlsListenAddrWithoutCertificate_Error() =>
        AssertSingleError(Valid() with { TlsListenAddr = "localhost:9999" }, ["tls", "certificate_path"], "is not set but tls_listen_addr is");

    // ---- directories ----

    [Fact]
    public void Validate_BinDirNotSet_Error() =>
        AssertSingleError(Valid() with { BinDir = null }, ["bin_dir"], "is not set");

    [Fact]
    public void Validate_BinDirMissing_Error()
    {
        var missing = temp.Combine("no-bin");
        AssertSingleError(Valid() with { BinDir = missing }, ["bin_dir"], $"path doesn't exist: \"{missing}\"");
    }

    [Fact]
    public void Validate_BinDirIsFile_Error()
    {
        var file = temp.File("bin-file");
        AssertSingleError(Valid() with { BinDir = file }, ["bin_dir"], $"path doesn't exist: \"{file}\"");
    }

    [Fact]
    public void Validate_RuntimeDirMissing_Error()
    {
        var missing = temp.Combine("no-run");
        AssertSingleError(Valid() with { RuntimeDir = missing }, ["runtime_dir"], $"path doesn't exist: \"{missing}\"");
    }

    [Fact]
    public void Validate_RuntimeDirExists_NoErrors() => AssertValid(Valid() with { RuntimeDir = temp.Dir("run") });

    [Fact]
    public void Validate_NegativeGracefulRestartTimeout_Error() =>
        AssertSingleError(Valid() with { GracefulRestartTimeout = TimeSpan.FromSeconds(-1) }, ["graceful_restart_timeout"], "must not be negative");

    // ---- storages ----

    [Fact]
    public void Validate_NoStorage_Error() =>
        AssertSingleError(Valid() with { Storages = [] }, ["storage"],
            "no storage configurations found. Are you using the right format? https://gitlab.com/gitlab-org/gitaly/issues/1575");

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Validate_EmptyStorageName_Error(string name) =>
        AssertSingleError(Valid() with { Storages = [Valid().Storages[0], new StorageOptions(name, temp.Dir("s2"))] },
            ["storage", "name"], "empty storage name at declaration 2");

    [Fact]
    public void Validate_DuplicateStorageName_Error() =>
        AssertSingleError(Valid() with { Storages = [Valid().Storages[0], new StorageOptions("default", temp.Dir("s2"))] },
            ["storage", "name"], "storage \"default\" is defined more than once");

    [Fact]
    public void Validate_StorageNamesDifferByCase_NoErrors() =>
        AssertValid(Valid() with { Storages = [Valid().Storages[0], new StorageOptions("Default", temp.Dir("s2"))] });

    [Fact]
    public void Validate_EmptyStoragePath_Error() =>
        AssertSingleError(Valid() with { Storages = [new StorageOptions("default", "")] },
            ["storage", "path"], "empty storage path for storage \"default\"");

    [Fact]
    public void Validate_StoragePathMissing_Error()
    {
        var missing = temp.Combine("missing");
        AssertSingleError(Valid() with { Storages = [new StorageOptions("default", missing)] },
            ["storage", "path"], $"storage path \"{missing}\" for storage \"default\" doesn't exist");
    }

    [Fact]
    public void Validate_StoragePathIsFile_Error()
    {
        var file = temp.File("a-file");
        AssertSingleError(Valid() with { Storages = [new StorageOptions("default", file)] },
            ["storage", "path"], $"storage path \"{file}\" for storage \"default\" is not a dir");
    }

    [Fact]
    public void Validate_NestedStorages_Error()
    {
        var inner = temp.Dir("storages", "default", "nested");
        AssertSingleError(Valid() with { Storages = [Valid().Storages[0], new StorageOptions("nested", inner)] },
            ["storage", "path"], "storage paths may not nest: \"default\" and \"nested\"");
    }

    [Fact]
    public void Validate_NestedStoragesOuterSecond_Error()
    {
        var outer = temp.Combine("storages");
        AssertSingleError(Valid() with { Storages = [Valid().Storages[0], new StorageOptions("outer", outer)] },
            ["storage", "path"], "storage paths may not nest: \"default\" and \"outer\"");
    }

    [Fact]
    public void Validate_NestedThroughDotDot_Error()
    {
        var inner = temp.Dir("storages", "default", "nested");
        var spelled = temp.Combine("storages", "other", "..", "default", "nested");
        temp.Dir("storages", "other");
        Assert.True(Directory.Exists(inner));
        AssertSingleError(Valid() with { Storages = [Valid().Storages[0], new StorageOptions("nested", spelled)] },
            ["storage", "path"], "storage paths may not nest: \"default\" and \"nested\"");
    }

    [Fact]
    public void Validate_IdenticalStoragePaths_Allowed() =>
        AssertValid(Valid() with { Storages = [Valid().Storages[0], new StorageOptions("alias", storagePath + "/")] });

    [Fact]
    public void Validate_SiblingStoragesWithCommonPrefix_Allowed()
    {
        var sibling = temp.Dir("storages", "default2");
        AssertValid(Valid() with { Storages = [Valid().Storages[0], new StorageOptions("default2", sibling)] });
    }

    // ---- tls ----

    private TlsOptions ValidTls() => new() { CertificatePath = temp.File("tls/cert.pem", "c"), KeyPath = temp.File("tls/key.pem", "k") };

    [Fact]
    public void Validate_TlsCertificateWithKeyPath_NoErrors() =>
        AssertValid(Valid() with { TlsListenAddr = "localhost:9999", Tls = ValidTls() });

    [Fact]
    public void Validate_TlsCertificateWithInlineKey_NoErrors() =>
        AssertValid(Valid() with { TlsListenAddr = "localhost:9999", Tls = ValidTls() with { KeyPath = null, Key = "-----BEGIN PRIVATE KEY-----" } });

    [Fact]
    public void Validate_TlsKeyAndKeyPath_MutuallyExclusive() =>
        AssertSingleError(Valid() with { Tls = ValidTls() with { Key = "-----BEGIN PRIVATE KEY-----" } }, ["tls", "key"],
            "key and key_path are mutually exclusive");

    [Fact]
    public void Validate_TlsCertificateFileMissing_Error()
    {
        var missing = temp.Combine("tls", "missing.pem");
        AssertSingleError(Valid() with { Tls = ValidTls() with { CertificatePath = missing } }, ["tls", "certificate_path"],
            $"file doesn't exist: \"{missing}\"");
    }

    [Fact]
    public void Validate_TlsKeyFileMissing_Error()
    {
        var missing = temp.Combine("tls", "missing.key");
        AssertSingleError(Valid() with { Tls = ValidTls() with { KeyPath = missing } }, ["tls", "key_path"], $"file doesn't exist: \"{missing}\"");
    }

    [Fact]
    public void Validate_TlsCertificateWithoutKey_Error() =>
        AssertSingleError(Valid() with { Tls = ValidTls() with { KeyPath = null } }, ["tls", "key_path"],
            "is not set: a certificate needs a key (key_path or key)");

    // ---- gitlab ----

    [Theory]
    [InlineData("ftp://gitlab.example.com")]
    [InlineData("unix:/var/opt/gitlab/socket")]
    [InlineData("gitlab.example.com")]
    [InlineData("HTTP://gitlab.example.com")]
    [InlineData("tcp://localhost:8080")]
    public void Validate_GitlabUrlUnknownPrefix_Error(string url) =>
        AssertSingleError(Valid() with { Gitlab = new GitlabOptions { Url = url, Secret = "s" } }, ["gitlab", "url"], "unknown GitLab URL prefix");

    [Theory]
    [InlineData("http+unix://%2Fvar%2Fopt%2Fgitlab%2Fgitlab-workhorse%2Fsockets%2Fsocket")]
    [InlineData("http+unix:///var/opt/gitlab/gitlab-workhorse/sockets/socket")]
    [InlineData("http%2Bunix://%2Fvar%2Fsocket")]
    [InlineData("http://localhost:8080")]
    [InlineData("https://gitlab.example.com/gitlab")]
    public void Validate_GitlabUrlKnownPrefix_Accepted(string url) =>
        AssertValid(Valid() with { Gitlab = new GitlabOptions { Url = url, Secret = "s" } });

    [Fact]
    public void Validate_GitlabSecretAndSecretFile_MutuallyExclusive() =>
        AssertSingleError(Valid() with { Gitlab = new GitlabOptions { Secret = "s", SecretFile = temp.File(".gitlab_shell_secret", "s") } },
            ["gitlab", "secret"], "secret and secret_file are mutually exclusive");

    [Fact]
    public void Validate_GitlabSecretFileMissing_Error()
    {
        var missing = temp.Combine(".gitlab_shell_secret");
        AssertSingleError(Valid() with { Gitlab = new GitlabOptions { SecretFile = missing } }, ["gitlab", "secret_file"],
            $"file doesn't exist: \"{missing}\"");
    }

    [Fact]
    public void Validate_GitlabUrlWithoutSecret_SecretNotConfigured() =>
        AssertSingleError(Valid() with { Gitlab = new GitlabOptions { Url = "http://gitlab" } }, ["gitlab", "secret"], "GitLab secret not configured");

    [Fact]
    public void Validate_GitlabUrlSecretFromGitlabShellDir_DirectoryMustExist()
    {
        var missing = temp.Combine("gitlab-shell");
        AssertSingleError(Valid() with { Gitlab = new GitlabOptions { Url = "http://gitlab" }, GitlabShell = new GitlabShellOptions { Dir = missing } },
            ["gitlab-shell", "dir"], $"path doesn't exist: \"{missing}\"");
        AssertValid(Valid() with { Gitlab = new GitlabOptions { Url = "http://gitlab" }, GitlabShell = new GitlabShellOptions { Dir = temp.Dir("shell") } });
    }

    [Fact]
    public void Validate_NoGitlabUrl_NoSecretNeeded() => AssertValid(Valid() with { GitlabShell = new GitlabShellOptions { Dir = temp.Combine("none") } });

    [Fact]
    public void Validate_GitlabInlineSecret_NoErrors() =>
        AssertValid(Valid() with { Gitlab = new GitlabOptions { Secret = "s" } });

    [Fact]
    public void Validate_HttpSettingsUserWithoutPassword_Error() =>
        AssertSingleError(Valid() with { Gitlab = new GitlabOptions { HttpSettings = new GitlabHttpSettings { User = "u" } } },
            ["gitlab", "http-settings", "password"], "user and password must be set together");

    [Fact]
    public void Validate_HttpSettingsPasswordWithoutUser_Error() =>
        AssertSingleError(Valid() with { Gitlab = new GitlabOptions { HttpSettings = new GitlabHttpSettings { Password = "p" } } },
            ["gitlab", "http-settings", "user"], "user and password must be set together");

    [Fact]
    public void Validate_HttpSettingsNegativeReadTimeout_Error() =>
        AssertSingleError(
            Valid() with { Gitlab = new GitlabOptions { HttpSettings = new GitlabHttpSettings { ReadTimeout = TimeSpan.FromSeconds(-1) } } },
            ["gitlab", "http-settings", "read_timeout"], "must not be negative");

    [Fact]
    public void Validate_HttpSettingsCaFileMissing_Error()
    {
        var missing = temp.Combine("ca.pem");
        AssertSingleError(Valid() with { Gitlab = new GitlabOptions { HttpSettings = new GitlabHttpSettings { CaFile = missing } } },
            ["gitlab", "http-settings", "ca_file"], $"file doesn't exist: \"{missing}\"");
    }

    [Fact]
    public void Validate_HttpSettingsCaPathMissing_Error()
    {
        var missing = temp.Combine("certs");
        AssertSingleError(Valid() with { Gitlab = new GitlabOptions { HttpSettings = new GitlabHttpSettings { CaPath = missing } } },
            ["gitlab", "http-settings", "ca_path"], $"path doesn't exist: \"{missing}\"");
    }

    // ---- logging, prometheus ----

    [Theory]
    [InlineData("yaml")]
    [InlineData("JSON")]
    [InlineData("logfmt")]
    public void Validate_LoggingFormatInvalid_Error(string format) =>
        AssertSingleError(Valid() with { Logging = new LoggingOptions { Format = format } }, ["logging", "format"],
            $"invalid format \"{format}\": expected text or json");

    [Theory]
    [InlineData("verbose")]
    [InlineData("informational")]
    [InlineData("")]
    public void Validate_LoggingLevelInvalid_Error(string level) =>
        AssertSingleError(Valid() with { Logging = new LoggingOptions { Level = level } }, ["logging", "level"], $"invalid level \"{level}\"");

    [Theory]
    [InlineData("trace")]
    [InlineData("debug")]
    [InlineData("info")]
    [InlineData("INFO")]
    [InlineData("warn")]
    [InlineData("warning")]
    [InlineData("error")]
    [InlineData("fatal")]
    [InlineData("panic")]
    public void Validate_LoggingLevelKnown_Accepted(string level) =>
        AssertValid(Valid() with { Logging = new LoggingOptions { Level = level, Format = "json" } });

    [Theory]
    [InlineData(new double[] { 0.1, 0.05, 1 })]
    [InlineData(new double[] { 0.1, 0.1, 1 })]
    [InlineData(new double[] { 1, 10, 5, 3 })]
    public void Validate_LatencyBucketsNotIncreasing_Error(double[] buckets) =>
        AssertSingleError(Valid() with { Prometheus = new PrometheusOptions { GrpcLatencyBuckets = buckets } },
            ["prometheus", "grpc_latency_buckets"], "buckets must be in increasing order");

    [Fact]
    public void Validate_LatencyBucketsEmpty_Accepted() =>
        AssertValid(Valid() with { Prometheus = new PrometheusOptions { GrpcLatencyBuckets = [] } });

    // ---- git ----

    [Fact]
    public void Validate_CatfileCacheSizeNegative_Error() =>
        AssertSingleError(Valid() with { Git = new GitOptions { CatfileCacheSize = -1 } }, ["git", "catfile_cache_size"], "must not be negative");

    [Fact]
    public void Validate_GitBinPathMissing_Error()
    {
        var missing = temp.Combine("git");
        AssertSingleError(Valid() with { Git = new GitOptions { BinPath = missing } }, ["git", "bin_path"], $"file doesn't exist: \"{missing}\"");
    }

    [Theory]
    [InlineData("")]
    [InlineData("core")]
    [InlineData(".core.foo")]
    [InlineData("core.foo.")]
    [InlineData("core.")]
    [InlineData("core.foo=bar")]
    [InlineData("core=.foo")]
    [InlineData("core.foo bar")]
    [InlineData("core_x.foo")]
    [InlineData("core-x.foo")]
    [InlineData("core.foo\"bar")]
    [InlineData("core.foo\n")]
    [InlineData("core.foo\nbar")]
    [InlineData("ünïcode.key")]
    [InlineData("core.ключ")]
    public void Validate_GitConfigKeyInvalid_Error(string key) =>
        AssertSingleError(Valid() with { Git = new GitOptions { Config = [new GitConfigEntry(key, "v")] } }, ["git", "config", "key"],
            $"invalid config key \"{key}\"");

    // Gitaly's pattern is ^[[:alnum:]]+(\.[*-/_:@a-zA-Z0-9]+)+$, where "*-/" is the range * + , - . /
    [Theory]
    [InlineData("core.foo")]
    [InlineData("core.foo.bar")]
    [InlineData("pack.threads")]
    [InlineData("receive.advertisePushOptions")]
    [InlineData("http.https://example.com.proxy")]
    [InlineData("http.https://user@example.com:8080/path.extraHeader")]
    [InlineData("a.b*c")]
    [InlineData("a.b+c")]
    [InlineData("a.b,c")]
    [InlineData("a.b-c")]
    [InlineData("a.b_c")]
    [InlineData("a..b")]
    [InlineData("1.2")]
    public void Validate_GitConfigKeyValid_Accepted(string key)
    {
        Assert.True(ConfigValidator.IsValidGitConfigKey(key));
        AssertValid(Valid() with { Git = new GitOptions { Config = [new GitConfigEntry(key, "value with spaces = and equals")] } });
    }

    [Fact]
    public void Validate_SeveralBadGitConfigKeys_OneErrorEach()
    {
        var errors = ConfigValidator.Validate(Valid() with
        {
            Git = new GitOptions { Config = [new GitConfigEntry("a", "1"), new GitConfigEntry("b.c", "2"), new GitConfigEntry("d=e", "3")] },
        });

        Assert.Equal(["invalid config key \"a\"", "invalid config key \"d=e\""], errors.Select(e => e.Message));
    }

    // ---- limiters ----

    [Theory]
    [InlineData("")]
    [InlineData("PostUploadPack")]
    [InlineData("gitaly.SmartHTTPService/PostUploadPack")]
    public void Validate_ConcurrencyRpcInvalid_Error(string rpc) =>
        AssertSingleError(Valid() with { Concurrency = [new ConcurrencyOptions { Rpc = rpc }] }, ["concurrency", "rpc"],
            $"invalid RPC name \"{rpc}\": expected /gitaly.Service/Method");

    [Fact]
    public void Validate_ConcurrencyMaxPerRepoNegative_Error() =>
        AssertSingleError(Valid() with { Concurrency = [new ConcurrencyOptions { Rpc = "/gitaly.A/B", MaxPerRepo = -1 }] },
            ["concurrency", "max_per_repo"], "must not be negative");

    [Fact]
    public void Validate_ConcurrencyMaxQueueSizeNegative_Error() =>
        AssertSingleError(Valid() with { Concurrency = [new ConcurrencyOptions { Rpc = "/gitaly.A/B", MaxQueueSize = -1 }] },
            ["concurrency", "max_queue_size"], "must not be negative");

    [Fact]
    public void Validate_ConcurrencyMaxQueueWaitNegative_Error() =>
        AssertSingleError(Valid() with { Concurrency = [new ConcurrencyOptions { Rpc = "/gitaly.A/B", MaxQueueWait = TimeSpan.FromSeconds(-1) }] },
            ["concurrency", "max_queue_wait"], "must not be negative");

    [Fact]
    public void Validate_RateLimitingRpcInvalid_Error() =>
        AssertSingleError(Valid() with { RateLimiting = [new RateLimitingOptions { Rpc = "OptimizeRepository" }] }, ["rate_limiting", "rpc"],
            "invalid RPC name \"OptimizeRepository\": expected /gitaly.Service/Method");

    [Fact]
    public void Validate_RateLimitingIntervalNegative_Error() =>
        AssertSingleError(Valid() with { RateLimiting = [new RateLimitingOptions { Rpc = "/gitaly.A/B", Interval = TimeSpan.FromSeconds(-1) }] },
            ["rate_limiting", "interval"], "must not be negative");

    [Fact]
    public void Validate_RateLimitingBurstNegative_Error() =>
        AssertSingleError(Valid() with { RateLimiting = [new RateLimitingOptions { Rpc = "/gitaly.A/B", Burst = -1 }] },
            ["rate_limiting", "burst"], "must not be negative");

    [Fact]
    public void Validate_PackObjectsLimitingMaxConcurrencyNegative_Error() =>
        AssertSingleError(Valid() with { PackObjectsLimiting = new PackObjectsLimitingOptions { MaxConcurrency = -1 } },
            ["pack_objects_limiting", "max_concurrency"], "must not be negative");

    [Fact]
    public void Validate_PackObjectsLimitingMaxQueueLengthNegative_Error() =>
        AssertSingleError(Valid() with { PackObjectsLimiting = new PackObjectsLimitingOptions { MaxQueueLength = -1 } },
            ["pack_objects_limiting", "max_queue_length"], "must not be negative");

    // ---- daily maintenance ----

    [Theory]
    [InlineData(24)]
    [InlineData(-1)]
    public void Validate_DailyMaintenanceHourOutOfRange_Error(int hour) =>
        AssertSingleError(Valid() with { DailyMaintenance = new DailyMaintenanceOptions { StartHour = hour } },
            ["daily_maintenance", "start_hour"], $"start hour {hour} outside range 0-23");

    [Theory]
    [InlineData(60)]
    [InlineData(-1)]
    public void Validate_DailyMaintenanceMinuteOutOfRange_Error(int minute) =>
        AssertSingleError(Valid() with { DailyMaintenance = new DailyMaintenanceOptions { StartMinute = minute } },
            ["daily_maintenance", "start_minute"], $"start minute {minute} outside range 0-59");

    [Theory]
    [InlineData(24 * 60 + 1)]
    [InlineData(-1)]
    public void Validate_DailyMaintenanceDurationOutOfRange_Error(int minutes) =>
        AssertSingleError(Valid() with { DailyMaintenance = new DailyMaintenanceOptions { Duration = TimeSpan.FromMinutes(minutes) } },
            ["daily_maintenance", "duration"], "duration must be between 0 and 24h");

    [Fact]
    public void Validate_DailyMaintenanceBoundaries_Accepted() =>
        AssertValid(Valid() with
        {
            DailyMaintenance = new DailyMaintenanceOptions { StartHour = 0, StartMinute = 59, Duration = TimeSpan.FromHours(24), Storages = ["default"] },
        });

    [Fact]
    public void Validate_DailyMaintenanceUnknownStorage_Error() =>
        AssertSingleError(Valid() with { DailyMaintenance = new DailyMaintenanceOptions { Storages = ["default", "nope"] } },
            ["daily_maintenance", "storages"], "storage \"nope\" undefined");

    [Fact]
    public void Validate_DailyMaintenanceDisabled_SkipsChecks() =>
        AssertValid(Valid() with
        {
            DailyMaintenance = new DailyMaintenanceOptions
            {
                Disabled = true,
                StartHour = 99,
                StartMinute = 99,
                Duration = TimeSpan.FromDays(3),
                Storages = ["nope"],
            },
        });

    // ---- pack-objects cache, backup, Lode limits ----

    [Fact]
    public void Validate_PackObjectsCacheRelativeDir_Error() =>
        AssertSingleError(Valid() with { PackObjectsCache = new PackObjectsCacheOptions { Enabled = true, Dir = "cache/poc" } },
            ["pack_objects_cache", "dir"], "path must be absolute");

    [Fact]
    public void Validate_PackObjectsCacheRelativeDirWhileDisabled_Accepted() =>
        AssertValid(Valid() with { PackObjectsCache = new PackObjectsCacheOptions { Enabled = false, Dir = "cache/poc" } });

    [Fact]
    public void Validate_PackObjectsCacheNegativeMaxAge_Error() =>
        AssertSingleError(Valid() with { PackObjectsCache = new PackObjectsCacheOptions { MaxAge = TimeSpan.FromSeconds(-1) } },
            ["pack_objects_cache", "max_age"], "must not be negative");

    [Theory]
    [InlineData("pointer")]
    [InlineData("legacy")]
    [InlineData("manifest")]
    public void Validate_BackupLayoutKnown_Accepted(string layout) =>
        AssertValid(Valid() with { Backup = new BackupOptions { Layout = layout } });

    [Fact]
    public void Validate_BackupLayoutUnknown_Error() =>
        AssertSingleError(Valid() with { Backup = new BackupOptions { Layout = "flat" } }, ["backup", "layout"], "unknown layout \"flat\"");

    [Fact]
    public void Validate_MaxConcurrentSpawnsBelowOne_Error() =>
        AssertSingleError(Valid() with { Limits = new LimitsOptions { MaxConcurrentSpawns = 0 } },
            ["lode", "limits", "max_concurrent_spawns"], "must be at least 1");

    [Fact]
    public void Validate_MaxReceiveMessageSizeTooSmall_Error() =>
        AssertSingleError(Valid() with { Limits = new LimitsOptions { MaxReceiveMessageSize = 1023 } },
            ["lode", "limits", "max_receive_message_size"], "must be at least 1024");

    // ---- defaults ----

    [Fact]
    public void Validate_EmbeddedDefaults_NoErrors()
    {
        var options = Defaults.Embedded(temp.Path, binDir);
        Directory.CreateDirectory(options.Storages[0].Path);

        AssertValid(options);
        Assert.Equal(temp.Combine("data", "repositories"), options.Storages[0].Path);
        Assert.Equal("127.0.0.1:8075", options.ListenAddr);
    }
}
