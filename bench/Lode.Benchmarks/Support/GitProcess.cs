using System.Buffers;
using System.Diagnostics;

namespace Lode.Benchmarks.Support;

/// <summary>
/// Plain git, run the way a user or a script runs it: one fresh <c>git</c> process through
/// <see cref="System.Diagnostics.Process"/>, its stdout read to the end and counted. None of Lode's machinery (no
/// spawn limiter, no injected <c>-c</c> config); only the user's and the system's git config are kept out, as Lode
/// keeps them out of its own children, so both sides run git with the same settings.
/// </summary>
internal static class GitProcess
{
    /// <summary>Runs <c>git args…</c> and returns the number of bytes it wrote to stdout; a non-zero exit throws.</summary>
    public static Task<long> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken, string? workingDirectory = null) =>
        RunAsync(args, null, cancellationToken, workingDirectory);

    /// <summary>As <see cref="RunAsync(IReadOnlyList{string}, CancellationToken, string?)"/>, copying stdout into <paramref name="capture"/>.</summary>
    public static async Task<long> RunAsync(IReadOnlyList<string> args, Stream? capture, CancellationToken cancellationToken,
        string? workingDirectory = null)
    {
        using var process = Start(args, workingDirectory, redirectStdin: false);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var bytes = await DrainAsync(process.StandardOutput.BaseStream, capture, cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var error = await stderr;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', args)}: exit {process.ExitCode}: {error.Trim()}");
        }

        return bytes;
    }

    /// <summary>Runs git and returns its stdout as text (setup and validation only).</summary>
    public static async Task<string> OutputAsync(IReadOnlyList<string> args, CancellationToken cancellationToken, string? workingDirectory = null)
    {
        using var buffer = new MemoryStream();
        await RunAsync(args, buffer, cancellationToken, workingDirectory);
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Runs git with <paramref name="stdin"/> as its input and returns its stdout as text (setup only).</summary>
    public static async Task<string> OutputWithInputAsync(IReadOnlyList<string> args, string stdin, CancellationToken cancellationToken,
        params (string Name, string Value)[] environment)
    {
        using var process = Start(args, null, redirectStdin: true, environment);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', args)}: exit {process.ExitCode}: {(await stderr).Trim()}");
        }

        return await stdout;
    }

    /// <summary>A started git process with stdout and stderr (and optionally stdin) redirected; the caller reaps it.</summary>
    public static Process Start(IReadOnlyList<string> args, string? workingDirectory, bool redirectStdin,
        params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo("git")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectStdin,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        start.Environment["LANG"] = "C";
        start.Environment["LC_ALL"] = "C";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return Process.Start(start) ?? throw new InvalidOperationException("git did not start");
    }

    /// <summary>Reads a stream to its end through a pooled buffer, counting bytes (and copying them when asked).</summary>
    public static async Task<long> DrainAsync(Stream source, Stream? capture, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            long total = 0;
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                total += read;
                if (capture is not null)
                {
                    await capture.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }

            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
