using System.Diagnostics;
using System.Text.Json.Nodes;
using Tomlyn;
using Tomlyn.Model;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Lode.Core.Configuration;

/// <summary>
/// Reads Gitaly's config.toml (spec §1.3) into <see cref="LodeOptions"/>. Type and syntax problems are collected,
/// not thrown, so that <c>lode configuration validate</c> can print all of them. Keys of Gitaly's that Lode does
/// not act on yet are accepted and reported, never misread; unknown keys are reported too.
/// </summary>
public static class ConfigLoader
{
    /// <summary>
    /// Gitaly keys Lode does not read at all: they are accepted, and everything under them is reported once as
    /// "not acted on". Dotted paths.
    /// </summary>
    private static readonly string[] UnreadGitalyKeys =
    [
        "internal_socket_dir", "cgroups", "adaptive_limiting", "transactions", "raft",
        "logging.sentry_dsn", "logging.sentry_environment", "logging.ruby_sentry_dsn", "git.ignore_gitconfig",
        "storage.read_only", "tls.client_cert_path", "prometheus.grpc_latency_buckets_enabled", "bundle_uri", "offload",
        "graceful_restart_timeout_enabled", "gitaly-ruby", "ruby", "failpoints", "profiler",
    ];

    /// <summary>
    /// Keys Lode reads into <see cref="LodeOptions"/> but whose feature is not built yet. They are reported when
    /// present, so an operator is never misled into thinking e.g. a concurrency limit is enforced. Remove an entry
    /// when its feature lands.
    /// </summary>
    private static readonly string[] ReadButNotActedOn =
    [
        "concurrency", "rate_limiting", "pack_objects_cache", "pack_objects_limiting",
        "daily_maintenance", "backup", "logging.dir", "git.use_bundled_binaries", "git.committer_name",
        "git.committer_email",
    ];

    public static ConfigLoadResult LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The caller names the file ("load config: config_path …"); .NET's message names it again.
            return Failed(new ConfigError([], e.Message));
        }

        return Load(text);
    }

    public static ConfigLoadResult Load(string text)
    {
        TomlTable table;
        try
        {
            table = TomlSerializer.Deserialize<TomlTable>(text) ?? new TomlTable();
        }
        catch (TomlException e)
        {
            return Failed(new ConfigError([], "invalid TOML: " + e.Message));
        }

        // The TomlTable reader lets a repeated key or table silently replace the first ("[auth]" twice); Gitaly's
        // decoder rejects such a file, and so does the validating syntax parser.
        foreach (var diagnostic in SyntaxParser.Parse(text, null, validate: true).Diagnostics)
        {
            if (diagnostic.Kind == DiagnosticMessageKind.Error)
            {
                return Failed(new ConfigError([], "invalid TOML: " + diagnostic));
            }
        }

        var errors = new List<ConfigError>();
        if (table.TryGetValue("config_command", out var command) && command is string commandPath && commandPath.Length > 0)
        {
            MergeConfigCommand(table, commandPath, errors);
        }

        var root = new TomlSection(table, [], errors);
        var sections = new List<TomlSection> { root };
        var options = Read(root, sections);
        options = ApplyEnvironment(options);

        var notActedOn = new List<string>();
        foreach (var key in ReadButNotActedOn)
        {
            if (IsPresent(table, key))
            {
                notActedOn.Add(key);
            }
        }

        var unknown = new List<string>();
        foreach (var section in sections)
        {
            foreach (var key in section.UnreadKeys())
            {
                if (IsUnreadGitalyKey(key))
                {
                    notActedOn.Add(key);
                }
                else
                {
                    unknown.Add(key);
                }
            }
        }

        return new ConfigLoadResult(options, errors, notActedOn, unknown);
    }

    private static ConfigLoadResult Failed(ConfigError error) => new(new LodeOptions(), [error], [], []);

    private static bool IsPresent(TomlTable table, string dottedKey)
    {
        object? node = table;
        foreach (var part in dottedKey.Split('.'))
        {
            if (node is not TomlTable t || !t.TryGetValue(part, out node))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsUnreadGitalyKey(string key)
    {
        foreach (var prefix in UnreadGitalyKeys)
        {
            if (key == prefix || key.StartsWith(prefix + ".", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static LodeOptions Read(TomlSection root, List<TomlSection> sections)
    {
        TomlSection? Sub(TomlSection parent, string key)
        {
            var s = parent.Table(key);
            if (s is not null)
            {
                sections.Add(s);
            }

            return s;
        }

        var storages = new List<StorageOptions>();
        foreach (var s in root.TableArray("storage"))
        {
            sections.Add(s);
            storages.Add(new StorageOptions(s.String("name") ?? "", s.String("path") ?? ""));
        }

        var options = new LodeOptions
        {
            SocketPath = root.String("socket_path"),
            ListenAddr = root.String("listen_addr"),
            TlsListenAddr = root.String("tls_listen_addr"),
            PrometheusListenAddr = root.String("prometheus_listen_addr"),
            BinDir = root.String("bin_dir"),
            RuntimeDir = root.String("runtime_dir"),
            ConfigCommand = root.String("config_command"),
            GracefulRestartTimeout = root.Duration("graceful_restart_timeout") ?? Defaults.GracefulRestartTimeout,
            Storages = storages,
        };

        if (Sub(root, "auth") is { } auth)
        {
            options = options with
            {
                Auth = new AuthOptions { Token = auth.String("token") ?? "", Transitioning = auth.Bool("transitioning") ?? false },
            };
        }

        if (Sub(root, "tls") is { } tls)
        {
            options = options with
            {
                Tls = new TlsOptions
                {
                    CertificatePath = tls.String("certificate_path"),
                    KeyPath = tls.String("key_path"),
                    Key = tls.String("key"),
                },
            };
        }

        if (Sub(root, "gitlab") is { } gitlab)
        {
            var http = new GitlabHttpSettings();
            if (Sub(gitlab, "http-settings") is { } hs)
            {
                http = new GitlabHttpSettings
                {
                    ReadTimeout = hs.Integer("read_timeout") is { } rt ? TimeSpan.FromSeconds(rt) : http.ReadTimeout,
                    User = hs.String("user"),
                    Password = hs.String("password"),
                    CaFile = hs.String("ca_file"),
                    CaPath = hs.String("ca_path"),
                };
            }

            options = options with
            {
                Gitlab = new GitlabOptions
                {
                    Url = gitlab.String("url"),
                    RelativeUrlRoot = gitlab.String("relative_url_root"),
                    SecretFile = gitlab.String("secret_file"),
                    Secret = gitlab.String("secret"),
                    HttpSettings = http,
                },
            };
        }

        if (Sub(root, "gitlab-shell") is { } shell)
        {
            options = options with { GitlabShell = new GitlabShellOptions { Dir = shell.String("dir") } };
        }

        if (Sub(root, "hooks") is { } hooks)
        {
            options = options with { Hooks = new HooksOptions { CustomHooksDir = hooks.String("custom_hooks_dir") } };
        }

        if (Sub(root, "logging") is { } logging)
        {
            options = options with
            {
                Logging = new LoggingOptions
                {
                    Format = logging.String("format") is { Length: > 0 } f ? f : "text",
                    Level = logging.String("level") is { Length: > 0 } l ? l : "info",
                    Dir = logging.String("dir"),
                },
            };
        }

        if (Sub(root, "prometheus") is { } prometheus)
        {
            options = options with
            {
                Prometheus = new PrometheusOptions
                {
                    GrpcLatencyBuckets = prometheus.Doubles("grpc_latency_buckets") ?? Defaults.GrpcLatencyBuckets,
                },
            };
        }

        if (Sub(root, "git") is { } git)
        {
            var entries = new List<GitConfigEntry>();
            foreach (var c in git.TableArray("config"))
            {
                sections.Add(c);
                entries.Add(new GitConfigEntry(c.String("key") ?? "", c.String("value") ?? ""));
            }

            options = options with
            {
                Git = new GitOptions
                {
                    BinPath = git.String("bin_path"),
                    UseBundledBinaries = git.Bool("use_bundled_binaries") ?? false,
                    CatfileCacheSize = git.Int32("catfile_cache_size") ?? Defaults.CatfileCacheSize,
                    SigningKey = git.String("signing_key"),
                    CommitterName = git.String("committer_name"),
                    CommitterEmail = git.String("committer_email"),
                    Config = entries,
                },
            };
        }

        var concurrency = new List<ConcurrencyOptions>();
        foreach (var c in root.TableArray("concurrency"))
        {
            sections.Add(c);
            concurrency.Add(new ConcurrencyOptions
            {
                Rpc = c.String("rpc") ?? "",
                MaxPerRepo = c.Int32("max_per_repo") ?? 0,
                MaxQueueSize = c.Int32("max_queue_size") ?? 0,
                MaxQueueWait = c.Duration("max_queue_wait") ?? TimeSpan.Zero,
            });
            c.Accept("adaptive");
            c.Accept("min_limit");
            c.Accept("max_limit");
            c.Accept("initial_limit");
        }

        var rateLimiting = new List<RateLimitingOptions>();
        foreach (var r in root.TableArray("rate_limiting"))
        {
            sections.Add(r);
            rateLimiting.Add(new RateLimitingOptions
            {
                Rpc = r.String("rpc") ?? "",
                Interval = r.Duration("interval") ?? TimeSpan.Zero,
                Burst = r.Int32("burst") ?? 0,
            });
        }

        options = options with { Concurrency = concurrency, RateLimiting = rateLimiting };

        if (Sub(root, "pack_objects_cache") is { } poc)
        {
            options = options with
            {
                PackObjectsCache = new PackObjectsCacheOptions
                {
                    Enabled = poc.Bool("enabled") ?? false,
                    Dir = poc.String("dir"),
                    MaxAge = poc.Duration("max_age") ?? TimeSpan.FromMinutes(5),
                    MinOccurrences = poc.Int32("min_occurrences") ?? 1,
                },
            };
        }

        if (Sub(root, "pack_objects_limiting") is { } pol)
        {
            options = options with
            {
                PackObjectsLimiting = new PackObjectsLimitingOptions
                {
                    MaxConcurrency = pol.Int32("max_concurrency") ?? 200,
                    MaxQueueLength = pol.Int32("max_queue_length") ?? 0,
                    MaxQueueWait = pol.Duration("max_queue_wait") ?? TimeSpan.Zero,
                },
            };
        }

        if (Sub(root, "daily_maintenance") is { } dm)
        {
            options = options with
            {
                DailyMaintenance = new DailyMaintenanceOptions
                {
                    StartHour = dm.Int32("start_hour") ?? 12,
                    StartMinute = dm.Int32("start_minute") ?? 0,
                    Duration = dm.Duration("duration") ?? TimeSpan.FromMinutes(10),
                    Storages = dm.Strings("storages"),
                    Disabled = dm.Bool("disabled") ?? false,
                },
            };
        }

        if (Sub(root, "backup") is { } backup)
        {
            options = options with
            {
                Backup = new BackupOptions
                {
                    GoCloudUrl = backup.String("go_cloud_url"),
                    Layout = backup.String("layout") is { Length: > 0 } layout ? layout : "pointer",
                },
            };
        }

        if (Sub(root, "timeout") is { } timeout)
        {
            options = options with
            {
                Timeout = new TimeoutOptions
                {
                    UploadPackNegotiation = timeout.Duration("upload_pack_negotiation") ?? TimeSpan.FromMinutes(10),
                    UploadArchiveNegotiation = timeout.Duration("upload_archive_negotiation") ?? TimeSpan.FromMinutes(1),
                },
            };
        }

        var lodeSection = Sub(root, "lode");
        if (lodeSection is not null && Sub(lodeSection, "http") is { } lodeHttp)
        {
            options = options with { Http = new LodeHttpOptions { ListenAddr = lodeHttp.String("listen_addr") } };
        }

        if (lodeSection is { } lode && Sub(lode, "limits") is { } limits)
        {
            var d = new LimitsOptions();
            options = options with
            {
                Limits = new LimitsOptions
                {
                    MaxConcurrentSpawns = limits.Int32("max_concurrent_spawns") ?? d.MaxConcurrentSpawns,
                    SpawnTimeout = limits.Duration("spawn_timeout") ?? d.SpawnTimeout,
                    MaxReceiveMessageSize = limits.Int32("max_receive_message_size") ?? d.MaxReceiveMessageSize,
                    StderrTailBytes = limits.Int32("stderr_tail_bytes") ?? d.StderrTailBytes,
                    CatfileCacheTtl = limits.Duration("catfile_cache_ttl") ?? d.CatfileCacheTtl,
                },
            };
        }

        return options;
    }

    /// <summary>
    /// Environment variables override the file for the two settings operators most often inject from a secret
    /// store or an orchestrator: the token and the listen address.
    /// </summary>
    public static LodeOptions ApplyEnvironment(LodeOptions options)
    {
        if (Environment.GetEnvironmentVariable("LODE_AUTH_TOKEN") is { Length: > 0 } token)
        {
            options = options with { Auth = options.Auth with { Token = token } };
        }

        if (Environment.GetEnvironmentVariable("LODE_LISTEN_ADDR") is { Length: > 0 } listen)
        {
            options = options with { ListenAddr = listen };
        }

        return options;
    }

    /// <summary>
    /// Gitaly's <c>config_command</c>: an executable whose stdout is a JSON object merged over the file, used to
    /// fetch secrets at startup. Objects merge key by key; anything else replaces.
    /// </summary>
    private static void MergeConfigCommand(TomlTable table, string command, List<ConfigError> errors)
    {
        string output;
        try
        {
            using var process = Process.Start(new ProcessStartInfo(command)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            }) ?? throw new InvalidOperationException("could not start");
            process.StandardInput.Close();
            var stderrTask = process.StandardError.ReadToEndAsync();
            output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            var stderr = stderrTask.GetAwaiter().GetResult();
            if (process.ExitCode != 0)
            {
                errors.Add(new ConfigError(["config_command"], $"running config command: exit status {process.ExitCode}: {stderr.Trim()}"));
                return;
            }
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            errors.Add(new ConfigError(["config_command"], "running config command: " + e.Message));
            return;
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(output);
        }
        catch (System.Text.Json.JsonException e)
        {
            errors.Add(new ConfigError(["config_command"], "unmarshalling generated config: " + e.Message));
            return;
        }

        if (node is JsonObject obj)
        {
            MergeInto(table, obj);
        }
        else
        {
            errors.Add(new ConfigError(["config_command"], "unmarshalling generated config: expected a JSON object"));
        }
    }

    private static void MergeInto(TomlTable table, JsonObject obj)
    {
        foreach (var (key, value) in obj)
        {
            if (value is JsonObject child && table.TryGetValue(key, out var existing) && existing is TomlTable existingTable)
            {
                MergeInto(existingTable, child);
            }
            else if (value is not null)
            {
                table[key] = ToToml(value);
            }
        }
    }

    private static object ToToml(JsonNode node)
    {
        switch (node)
        {
            case JsonObject o:
                var t = new TomlTable();
                MergeInto(t, o);
                return t;
            case JsonArray a when a.Count > 0 && a.All(x => x is JsonObject):
                var tables = new TomlTableArray();
                foreach (var item in a)
                {
                    tables.Add((TomlTable)ToToml(item!));
                }

                return tables;
            case JsonArray a:
                var array = new TomlArray();
                foreach (var item in a)
                {
                    array.Add(item is null ? null : ToToml(item));
                }

                return array;
            default:
                var v = node.AsValue();
                if (v.TryGetValue<bool>(out var b))
                {
                    return b;
                }

                if (v.TryGetValue<long>(out var l))
                {
                    return l;
                }

                if (v.TryGetValue<double>(out var d))
                {
                    return d;
                }

                return v.ToString();
        }
    }
}
