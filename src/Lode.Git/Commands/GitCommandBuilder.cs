using System.Diagnostics;
using Lode.Core.Errors;
using Lode.Core.Storage;

namespace Lode.Git.Commands;

/// <summary>
/// Builds one git invocation: <c>git --git-dir=R -c k=v … sub flags [--end-of-options] args [-- paths]</c>.
/// Arguments are a list, never a shell string. Flags are the caller's constants; anything that came from a
/// request is a positional argument and may only start with '-' after <see cref="EndOfOptions"/>.
/// </summary>
public sealed class GitCommandBuilder
{
    private readonly GitCommandFactory factory;
    private readonly RepositoryPaths? repository;
    private readonly GitSubcommand subcommand;
    private readonly List<string> arguments = [];
    private readonly List<KeyValuePair<string, string>> callConfig = [];
    private readonly Dictionary<string, string> environment = new(StringComparer.Ordinal);
    private List<string>? paths;
    private bool endOfOptions;
    private bool pipeStdin;
    private string? workingDirectory;
    private Func<ReadOnlyMemory<byte>, ValueTask>? stderrSink;
    private bool noShallowFile;

    internal GitCommandBuilder(GitCommandFactory factory, RepositoryPaths? repository, GitSubcommand subcommand)
    {
        this.factory = factory;
        this.repository = repository;
        this.subcommand = subcommand;
    }

    /// <summary>A flag in its long form; a value is attached with '='. Flags are code constants, never request data.</summary>
    public GitCommandBuilder Flag(string flag)
    {
        if (!flag.StartsWith('-') || endOfOptions)
        {
            throw new ArgumentException($"invalid flag \"{flag}\" for git {subcommand.Name}", nameof(flag));
        }

        arguments.Add(flag);
        return this;
    }

    public GitCommandBuilder Flags(params ReadOnlySpan<string> flags)
    {
        foreach (var flag in flags)
        {
            Flag(flag);
        }

        return this;
    }

    /// <summary>
    /// The global <c>--shallow-file ""</c>: git then ignores the repository's shallow file, as <c>upload-pack</c> asks of
    /// the <c>pack-objects</c> it starts for a shallow fetch.
    /// </summary>
    public GitCommandBuilder WithoutShallowFile()
    {
        noShallowFile = true;
        return this;
    }

    /// <summary>A <c>-c key=value</c> for this call only, applied after the subcommand's own config.</summary>
    public GitCommandBuilder Config(string key, string value)
    {
        callConfig.Add(new(key, value));
        return this;
    }

    /// <summary>Ends option parsing so that user revisions starting with '-' are taken as revisions.</summary>
    public GitCommandBuilder EndOfOptions()
    {
        if (!endOfOptions && subcommand.AcceptsEndOfOptions)
        {
            arguments.Add("--end-of-options");
        }

        endOfOptions = true;
        return this;
    }

    /// <summary>A positional argument. Without a preceding <see cref="EndOfOptions"/> one starting with '-' is refused.</summary>
    public GitCommandBuilder Arg(string value)
    {
        if (value.StartsWith('-') && !(endOfOptions && subcommand.AcceptsEndOfOptions))
        {
            throw LodeException.InvalidArgument("positional argument must not start with a dash").With("argument", value);
        }

        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw LodeException.InvalidArgument("argument contains a NUL byte");
        }

        arguments.Add(value);
        return this;
    }

    public GitCommandBuilder Args(IEnumerable<string> values)
    {
        foreach (var value in values)
        {
            Arg(value);
        }

        return this;
    }

    /// <summary>Pathspecs, after <c>--</c>.</summary>
    public GitCommandBuilder Paths(IEnumerable<string> values)
    {
        paths ??= [];
        foreach (var value in values)
        {
            if (value.Contains('\0', StringComparison.Ordinal))
            {
                throw LodeException.InvalidArgument("path contains a NUL byte");
            }

            paths.Add(value);
        }

        return this;
    }

    public GitCommandBuilder Env(string name, string value)
    {
        environment[name] = value;
        return this;
    }

    /// <summary>Gives the child a stdin pipe; without it stdin is closed at once so git never waits on it.</summary>
    public GitCommandBuilder WithStdin()
    {
        pipeStdin = true;
        return this;
    }

    /// <summary>
    /// Hands each chunk the child writes to stderr to <paramref name="sink"/> as it arrives (besides keeping the tail),
    /// for protocols that relay git's stderr to the client (SSH). The chunk is only valid during the call; the
    /// child's stderr pipe waits for the sink, so a slow receiver slows the child down rather than growing memory.
    /// </summary>
    public GitCommandBuilder StderrTo(Func<ReadOnlyMemory<byte>, ValueTask> sink)
    {
        stderrSink = sink;
        return this;
    }

    public GitCommandBuilder WorkingDirectory(string directory)
    {
        workingDirectory = directory;
        return this;
    }

    /// <summary>The argument list as it will be passed (for logs and tests).</summary>
    public IReadOnlyList<string> BuildArguments() => CreateStartInfo().ArgumentList.ToArray();

    public async Task<GitProcess> StartAsync(CancellationToken cancellationToken)
    {
        var psi = CreateStartInfo();
        using (await factory.AcquireSpawnSlotAsync(cancellationToken))
        {
            return GitProcess.Start(psi, subcommand.Name, pipeStdin, factory.Tracker, factory.StderrTailBytes, cancellationToken, stderrSink);
        }
    }

    /// <summary>Runs to completion and returns stdout; for commands whose output is small by construction.</summary>
    public async Task<byte[]> RunAsync(CancellationToken cancellationToken)
    {
        await using var process = await StartAsync(cancellationToken);
        using var buffer = new MemoryStream();
        await process.Stdout.CopyToAsync(buffer, cancellationToken);
        await process.WaitSuccessAsync(cancellationToken);
        return buffer.ToArray();
    }

    /// <summary>Runs to completion and returns the exit code and stdout, for commands whose exit code is an answer.</summary>
    public async Task<(int ExitCode, byte[] Stdout, string Stderr)> RunUncheckedAsync(CancellationToken cancellationToken)
    {
        await using var process = await StartAsync(cancellationToken);
        using var buffer = new MemoryStream();
        await process.Stdout.CopyToAsync(buffer, cancellationToken);
        var exitCode = await process.WaitAsync(cancellationToken);
        return (exitCode, buffer.ToArray(), process.Stderr);
    }

    private ProcessStartInfo CreateStartInfo()
    {
        var psi = new ProcessStartInfo(factory.GitPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? repository?.FullPath ?? Path.GetTempPath(),
        };

        psi.Environment.Clear();
        foreach (var (key, value) in factory.Environment)
        {
            psi.Environment[key] = value;
        }

        if (repository?.ObjectDirectory is { } objectDirectory)
        {
            psi.Environment["GIT_OBJECT_DIRECTORY"] = objectDirectory;
        }

        if (repository?.AlternateObjectDirectories is { Count: > 0 } alternates)
        {
            psi.Environment["GIT_ALTERNATE_OBJECT_DIRECTORIES"] = string.Join(':', alternates);
        }

        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        factory.AddGlobalArguments(psi, repository, subcommand, callConfig);
        if (noShallowFile)
        {
            psi.ArgumentList.Add("--shallow-file");
            psi.ArgumentList.Add("");
        }

        psi.ArgumentList.Add(subcommand.Name);
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        if (paths is not null)
        {
            psi.ArgumentList.Add("--");
            foreach (var path in paths)
            {
                psi.ArgumentList.Add(path);
            }
        }

        return psi;
    }
}
