using System.Diagnostics;
using Lode.Core.Configuration;
using Lode.Core.Errors;
using Lode.Core.Storage;

namespace Lode.Git.Commands;

/// <summary>
/// The only code that starts processes (style guide §2.4). Every child gets the same clean environment, Lode's
/// global <c>-c</c> config, the subcommand's own config, and the admin's <c>[[git.config]]</c> last.
/// </summary>
public sealed class GitCommandFactory : IDisposable
{
    /// <summary>Config every git child gets (spec §5.3); later entries win.</summary>
    private static readonly KeyValuePair<string, string>[] GlobalConfig =
    [
        new("gc.auto", "0"),
        new("maintenance.auto", "0"),
        new("core.autocrlf", "input"),
        new("core.useReplaceRefs", "false"),
        new("core.fsync", "objects,derived-metadata,reference"),
        new("core.fsyncMethod", "fsync"),
        new("core.packedRefsTimeout", "10000"),
        new("core.filesRefLockTimeout", "1000"),
        new("core.bigFileThreshold", "50m"),
    ];

    private readonly IReadOnlyList<GitConfigEntry> adminConfig;
    private readonly SpawnLimiter spawnLimiter;

    public GitCommandFactory(string gitPath, GitVersion version, LodeOptions options, ProcessTracker tracker)
    {
        GitPath = gitPath;
        Version = version;
        Tracker = tracker;
        adminConfig = options.Git.Config;
        StderrTailBytes = options.Limits.StderrTailBytes;
        spawnLimiter = new SpawnLimiter(options.Limits.MaxConcurrentSpawns, options.Limits.SpawnTimeout);
        Environment = GitEnvironment.Build();
    }

    public string GitPath { get; }

    public GitVersion Version { get; }

    public ProcessTracker Tracker { get; }

    internal int StderrTailBytes { get; }

    internal IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>
    /// Finds git (<c>[git] bin_path</c>, else <c>git</c> on PATH) and checks its version. Throws with a message
    /// an operator can act on when git is missing or too old.
    /// </summary>
    public static async Task<(string Path, GitVersion Version)> DetectAsync(LodeOptions options, CancellationToken cancellationToken)
    {
        var path = string.IsNullOrEmpty(options.Git.BinPath) ? FindOnPath("git") : options.Git.BinPath;
        if (path is null)
        {
            throw new LodeException(ErrorCode.FailedPrecondition, "git not found: install git 2.39 or newer, or set [git] bin_path");
        }

        var psi = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        psi.ArgumentList.Add("version");
        psi.Environment.Clear();
        foreach (var (key, value) in GitEnvironment.Build())
        {
            psi.Environment[key] = value;
        }

        using var process = Process.Start(psi) ?? throw new LodeException(ErrorCode.FailedPrecondition, "git version: could not start " + path);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var version = GitVersion.Parse(output)
            ?? throw new LodeException(ErrorCode.FailedPrecondition, $"unsupported Git version: \"{output.Trim()}\"");
        if (!version.IsSupported)
        {
            throw new LodeException(ErrorCode.FailedPrecondition,
                $"unsupported Git version: \"{version}\": Lode needs git {GitVersion.Minimum} or newer");
        }

        return (path, version);
    }

    /// <summary>Starts building a command that runs in <paramref name="repository"/> (or outside any repository when null).</summary>
    public GitCommandBuilder Create(RepositoryPaths? repository, GitSubcommand subcommand) => new(this, repository, subcommand);

    internal void AddGlobalArguments(ProcessStartInfo psi, RepositoryPaths? repository, GitSubcommand subcommand, IReadOnlyList<KeyValuePair<string, string>> callConfig)
    {
        if (repository is not null)
        {
            psi.ArgumentList.Add("--git-dir=" + repository.FullPath);
        }

        foreach (var (key, value) in GlobalConfig)
        {
            AddConfig(psi, key, value);
        }

        foreach (var (key, value) in subcommand.Config ?? [])
        {
            AddConfig(psi, key, value);
        }

        foreach (var (key, value) in callConfig)
        {
            AddConfig(psi, key, value);
        }

        foreach (var entry in adminConfig)
        {
            AddConfig(psi, entry.Key, entry.Value);
        }
    }

    internal Task<IDisposable> AcquireSpawnSlotAsync(CancellationToken cancellationToken) => spawnLimiter.AcquireAsync(cancellationToken);

    private static void AddConfig(ProcessStartInfo psi, string key, string value)
    {
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(key + "=" + value);
    }

    private static string? FindOnPath(string name)
    {
        foreach (var dir in (System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':'))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public void Dispose() => spawnLimiter.Dispose();
}
