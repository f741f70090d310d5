using System.Text.RegularExpressions;

namespace Lode.Core.Configuration;

/// <summary>
/// Checks loaded options against Gitaly's rules (spec §1.1, §1.3) and returns every problem with the key it
/// concerns. Messages are Gitaly's where operators may already search for them.
/// </summary>
public static partial class ConfigValidator
{
    public static IReadOnlyList<ConfigError> Validate(LodeOptions options)
    {
        var errors = new List<ConfigError>();
        ValidateListeners(options, errors);
        ValidateDirectories(options, errors);
        ValidateStorages(options, errors);
        ValidateTls(options, errors);
        ValidateGitlab(options, errors);
        ValidateLogging(options, errors);
        ValidatePrometheus(options, errors);
        ValidateGit(options, errors);
        ValidateLimiters(options, errors);
        ValidateMaintenance(options, errors);
        ValidateMisc(options, errors);
        return errors;
    }

    private static void ValidateListeners(LodeOptions o, List<ConfigError> errors)
    {
        if (string.IsNullOrEmpty(o.SocketPath) && string.IsNullOrEmpty(o.ListenAddr) && string.IsNullOrEmpty(o.TlsListenAddr))
        {
            errors.Add(new ConfigError([], "at least one of socket_path, listen_addr or tls_listen_addr must be set"));
        }

        foreach (var (key, value) in new[]
                 {
                     ("listen_addr", o.ListenAddr), ("tls_listen_addr", o.TlsListenAddr), ("prometheus_listen_addr", o.PrometheusListenAddr),
                     ("lode.http.listen_addr", o.Http.ListenAddr),
                 })
        {
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            if (!ListenAddress.TryParse(value, out var address))
            {
                errors.Add(new ConfigError([key], $"invalid address \"{value}\": expected host:port"));
                continue;
            }

            // Lode refuses to expose an unauthenticated server to the network; Gitaly would start. The
            // metrics listener carries no repository data, so it is exempt.
            if (key != "prometheus_listen_addr" && !address!.IsLoopback && string.IsNullOrEmpty(o.Auth.Token))
            {
                errors.Add(new ConfigError([key],
                    $"refusing to listen on non-loopback address \"{value}\" without an authentication token: " +
                    "set [auth] token in the config file or the LODE_AUTH_TOKEN environment variable"));
            }
        }

        if (!string.IsNullOrEmpty(o.TlsListenAddr) && string.IsNullOrEmpty(o.Tls.CertificatePath))
        {
            errors.Add(new ConfigError(["tls", "certificate_path"], "is not set but tls_listen_addr is"));
        }
    }

    private static void ValidateDirectories(LodeOptions o, List<ConfigError> errors)
    {
        if (string.IsNullOrEmpty(o.BinDir))
        {
            errors.Add(new ConfigError(["bin_dir"], "is not set"));
        }
        else if (!Directory.Exists(o.BinDir))
        {
            errors.Add(new ConfigError(["bin_dir"], $"path doesn't exist: \"{o.BinDir}\""));
        }

        if (!string.IsNullOrEmpty(o.RuntimeDir) && !Directory.Exists(o.RuntimeDir))
        {
            errors.Add(new ConfigError(["runtime_dir"], $"path doesn't exist: \"{o.RuntimeDir}\""));
        }

        if (o.GracefulRestartTimeout < TimeSpan.Zero)
        {
            errors.Add(new ConfigError(["graceful_restart_timeout"], "must not be negative"));
        }
    }

    private static void ValidateStorages(LodeOptions o, List<ConfigError> errors)
    {
        if (o.Storages.Count == 0)
        {
            errors.Add(new ConfigError(["storage"],
                "no storage configurations found. Are you using the right format? https://gitlab.com/gitlab-org/gitaly/issues/1575"));
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < o.Storages.Count; i++)
        {
            var s = o.Storages[i];
            if (string.IsNullOrWhiteSpace(s.Name))
            {
                errors.Add(new ConfigError(["storage", "name"], $"empty storage name at declaration {i + 1}"));
            }
            else if (!seen.Add(s.Name))
            {
                errors.Add(new ConfigError(["storage", "name"], $"storage \"{s.Name}\" is defined more than once"));
            }

            if (string.IsNullOrEmpty(s.Path))
            {
                errors.Add(new ConfigError(["storage", "path"], $"empty storage path for storage \"{s.Name}\""));
            }
            else if (File.Exists(s.Path))
            {
                errors.Add(new ConfigError(["storage", "path"], $"storage path \"{s.Path}\" for storage \"{s.Name}\" is not a dir"));
            }
            else if (!Directory.Exists(s.Path))
            {
                errors.Add(new ConfigError(["storage", "path"], $"storage path \"{s.Path}\" for storage \"{s.Name}\" doesn't exist"));
            }
        }

        // Nested storages would let one storage's repository be reached through another's name. Identical
        // paths are allowed (Gitaly does, for migrations), siblings obviously are.
        for (var i = 0; i < o.Storages.Count; i++)
        {
            for (var j = i + 1; j < o.Storages.Count; j++)
            {
                var a = Clean(o.Storages[i].Path);
                var b = Clean(o.Storages[j].Path);
                if (a.Length == 0 || b.Length == 0 || a == b)
                {
                    continue;
                }

                if (IsUnder(a, b) || IsUnder(b, a))
                {
                    errors.Add(new ConfigError(["storage", "path"], $"storage paths may not nest: \"{o.Storages[i].Name}\" and \"{o.Storages[j].Name}\""));
                }
            }
        }
    }

    private static void ValidateTls(LodeOptions o, List<ConfigError> errors)
    {
        var tls = o.Tls;
        if (!string.IsNullOrEmpty(tls.Key) && !string.IsNullOrEmpty(tls.KeyPath))
        {
            errors.Add(new ConfigError(["tls", "key"], "key and key_path are mutually exclusive"));
        }

        if (!string.IsNullOrEmpty(tls.CertificatePath) && !File.Exists(tls.CertificatePath))
        {
            errors.Add(new ConfigError(["tls", "certificate_path"], $"file doesn't exist: \"{tls.CertificatePath}\""));
        }

        if (!string.IsNullOrEmpty(tls.KeyPath) && !File.Exists(tls.KeyPath))
        {
            errors.Add(new ConfigError(["tls", "key_path"], $"file doesn't exist: \"{tls.KeyPath}\""));
        }

        if (!string.IsNullOrEmpty(tls.CertificatePath) && string.IsNullOrEmpty(tls.KeyPath) && string.IsNullOrEmpty(tls.Key))
        {
            errors.Add(new ConfigError(["tls", "key_path"], "is not set: a certificate needs a key (key_path or key)"));
        }
    }

    private static void ValidateGitlab(LodeOptions o, List<ConfigError> errors)
    {
        var g = o.Gitlab;
        if (!string.IsNullOrEmpty(g.Url))
        {
            var url = Uri.UnescapeDataString(g.Url);
            if (!url.StartsWith("http+unix://", StringComparison.Ordinal) && !url.StartsWith("http://", StringComparison.Ordinal) &&
                !url.StartsWith("https://", StringComparison.Ordinal))
            {
                errors.Add(new ConfigError(["gitlab", "url"], "unknown GitLab URL prefix"));
            }
        }

        // Only a server that talks to GitLab needs its secret; a standalone Lode has no [gitlab] url. Gitaly checks the
        // secret file's folder, not the file, when the secret comes from the gitlab-shell.dir default.
        if (!string.IsNullOrEmpty(g.Url) && string.IsNullOrEmpty(g.Secret) && string.IsNullOrEmpty(g.SecretFile))
        {
            var shellDir = o.GitlabShell.Dir;
            if (string.IsNullOrEmpty(shellDir))
            {
                errors.Add(new ConfigError(["gitlab", "secret"], "GitLab secret not configured"));
            }
            else if (File.Exists(shellDir))
            {
                errors.Add(new ConfigError(["gitlab-shell", "dir"], $"not a directory: \"{shellDir}\""));
            }
            else if (!Directory.Exists(shellDir))
            {
                errors.Add(new ConfigError(["gitlab-shell", "dir"], $"path doesn't exist: \"{shellDir}\""));
            }
        }

        if (!string.IsNullOrEmpty(g.Secret) && !string.IsNullOrEmpty(g.SecretFile))
        {
            errors.Add(new ConfigError(["gitlab", "secret"], "secret and secret_file are mutually exclusive"));
        }

        if (!string.IsNullOrEmpty(g.SecretFile) && !File.Exists(g.SecretFile))
        {
            errors.Add(new ConfigError(["gitlab", "secret_file"], $"file doesn't exist: \"{g.SecretFile}\""));
        }

        var hs = g.HttpSettings;
        if (string.IsNullOrEmpty(hs.User) != string.IsNullOrEmpty(hs.Password))
        {
            errors.Add(new ConfigError(["gitlab", "http-settings", string.IsNullOrEmpty(hs.User) ? "user" : "password"],
                "user and password must be set together"));
        }

        if (hs.ReadTimeout < TimeSpan.Zero)
        {
            errors.Add(new ConfigError(["gitlab", "http-settings", "read_timeout"], "must not be negative"));
        }

        if (!string.IsNullOrEmpty(hs.CaFile) && !File.Exists(hs.CaFile))
        {
            errors.Add(new ConfigError(["gitlab", "http-settings", "ca_file"], $"file doesn't exist: \"{hs.CaFile}\""));
        }

        if (!string.IsNullOrEmpty(hs.CaPath) && !Directory.Exists(hs.CaPath))
        {
            errors.Add(new ConfigError(["gitlab", "http-settings", "ca_path"], $"path doesn't exist: \"{hs.CaPath}\""));
        }
    }

    private static void ValidateLogging(LodeOptions o, List<ConfigError> errors)
    {
        if (o.Logging.Format is not ("text" or "json"))
        {
            errors.Add(new ConfigError(["logging", "format"], $"invalid format \"{o.Logging.Format}\": expected text or json"));
        }

        if (o.Logging.Level.ToLowerInvariant() is not ("trace" or "debug" or "info" or "warn" or "warning" or "error" or "fatal" or "panic"))
        {
            errors.Add(new ConfigError(["logging", "level"], $"invalid level \"{o.Logging.Level}\""));
        }
    }

    private static void ValidatePrometheus(LodeOptions o, List<ConfigError> errors)
    {
        var buckets = o.Prometheus.GrpcLatencyBuckets;
        for (var i = 1; i < buckets.Count; i++)
        {
            if (buckets[i] <= buckets[i - 1])
            {
                errors.Add(new ConfigError(["prometheus", "grpc_latency_buckets"], "buckets must be in increasing order"));
                break;
            }
        }
    }

    private static void ValidateGit(LodeOptions o, List<ConfigError> errors)
    {
        if (o.Git.CatfileCacheSize < 0)
        {
            errors.Add(new ConfigError(["git", "catfile_cache_size"], "must not be negative"));
        }

        if (!string.IsNullOrEmpty(o.Git.BinPath) && !File.Exists(o.Git.BinPath))
        {
            errors.Add(new ConfigError(["git", "bin_path"], $"file doesn't exist: \"{o.Git.BinPath}\""));
        }

        foreach (var entry in o.Git.Config)
        {
            if (!IsValidGitConfigKey(entry.Key))
            {
                errors.Add(new ConfigError(["git", "config", "key"], $"invalid config key \"{entry.Key}\""));
            }
        }
    }

    /// <summary>
    /// Gitaly's rule for <c>-c</c> keys (also request <c>git_config_options</c>): a section and a name separated
    /// by dots, no <c>=</c>, no leading or trailing dot.
    /// </summary>
    public static bool IsValidGitConfigKey(string key) =>
        key.Length > 0 && !key.Contains('=', StringComparison.Ordinal) && !key.StartsWith('.') && !key.EndsWith('.') &&
        key.Contains('.', StringComparison.Ordinal) && GitConfigKeyPattern().IsMatch(key);

    private static void ValidateLimiters(LodeOptions o, List<ConfigError> errors)
    {
        foreach (var c in o.Concurrency)
        {
            if (!c.Rpc.StartsWith("/gitaly.", StringComparison.Ordinal))
            {
                errors.Add(new ConfigError(["concurrency", "rpc"], $"invalid RPC name \"{c.Rpc}\": expected /gitaly.Service/Method"));
            }

            if (c.MaxPerRepo < 0)
            {
                errors.Add(new ConfigError(["concurrency", "max_per_repo"], "must not be negative"));
            }

            if (c.MaxQueueSize < 0)
            {
                errors.Add(new ConfigError(["concurrency", "max_queue_size"], "must not be negative"));
            }

            if (c.MaxQueueWait < TimeSpan.Zero)
            {
                errors.Add(new ConfigError(["concurrency", "max_queue_wait"], "must not be negative"));
            }
        }

        foreach (var r in o.RateLimiting)
        {
            if (!r.Rpc.StartsWith("/gitaly.", StringComparison.Ordinal))
            {
                errors.Add(new ConfigError(["rate_limiting", "rpc"], $"invalid RPC name \"{r.Rpc}\": expected /gitaly.Service/Method"));
            }

            if (r.Interval < TimeSpan.Zero)
            {
                errors.Add(new ConfigError(["rate_limiting", "interval"], "must not be negative"));
            }

            if (r.Burst < 0)
            {
                errors.Add(new ConfigError(["rate_limiting", "burst"], "must not be negative"));
            }
        }

        if (o.PackObjectsLimiting.MaxConcurrency < 0)
        {
            errors.Add(new ConfigError(["pack_objects_limiting", "max_concurrency"], "must not be negative"));
        }

        if (o.PackObjectsLimiting.MaxQueueLength < 0)
        {
            errors.Add(new ConfigError(["pack_objects_limiting", "max_queue_length"], "must not be negative"));
        }
    }

    private static void ValidateMaintenance(LodeOptions o, List<ConfigError> errors)
    {
        var dm = o.DailyMaintenance;
        if (dm.Disabled)
        {
            return;
        }

        if (dm.StartHour is < 0 or > 23)
        {
            errors.Add(new ConfigError(["daily_maintenance", "start_hour"], $"start hour {dm.StartHour} outside range 0-23"));
        }

        if (dm.StartMinute is < 0 or > 59)
        {
            errors.Add(new ConfigError(["daily_maintenance", "start_minute"], $"start minute {dm.StartMinute} outside range 0-59"));
        }

        if (dm.Duration > TimeSpan.FromHours(24) || dm.Duration < TimeSpan.Zero)
        {
            errors.Add(new ConfigError(["daily_maintenance", "duration"], "duration must be between 0 and 24h"));
        }

        foreach (var name in dm.Storages ?? [])
        {
            if (o.FindStorage(name) is null)
            {
                errors.Add(new ConfigError(["daily_maintenance", "storages"], $"storage \"{name}\" undefined"));
            }
        }
    }

    private static void ValidateMisc(LodeOptions o, List<ConfigError> errors)
    {
        if (o.PackObjectsCache.Enabled && !string.IsNullOrEmpty(o.PackObjectsCache.Dir) && !Path.IsPathRooted(o.PackObjectsCache.Dir))
        {
            errors.Add(new ConfigError(["pack_objects_cache", "dir"], "path must be absolute"));
        }

        if (o.PackObjectsCache.MaxAge < TimeSpan.Zero)
        {
            errors.Add(new ConfigError(["pack_objects_cache", "max_age"], "must not be negative"));
        }

        if (o.Backup.Layout is not ("pointer" or "legacy" or "manifest"))
        {
            errors.Add(new ConfigError(["backup", "layout"], $"unknown layout \"{o.Backup.Layout}\""));
        }

        if (o.Limits.MaxConcurrentSpawns < 1)
        {
            errors.Add(new ConfigError(["lode", "limits", "max_concurrent_spawns"], "must be at least 1"));
        }

        if (o.Limits.MaxReceiveMessageSize < 1024)
        {
            errors.Add(new ConfigError(["lode", "limits", "max_receive_message_size"], "must be at least 1024"));
        }
    }

    internal static string Clean(string path) =>
        path.Length == 0 ? "" : Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    private static bool IsUnder(string parent, string child) =>
        child.StartsWith(parent + "/", StringComparison.Ordinal) || (parent == "/" && child != "/");

    // \z, not $: .NET's $ also matches before a final newline, Go's does not.
    [GeneratedRegex("^[A-Za-z0-9]+(\\.[*-/_:@a-zA-Z0-9]+)+\\z")]
    private static partial Regex GitConfigKeyPattern();
}
