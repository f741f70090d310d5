using System.Diagnostics;
using System.IO.Pipelines;
using Lode.Core.Processes;

namespace Lode.Git.Commands;

/// <summary>
/// One running git child. Disposing it kills the whole process tree if it is still running and always waits
/// until it is reaped, so no child outlives the handler that started it. Cancelling the token passed at start
/// kills it too.
/// </summary>
public sealed class GitProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly string subcommand;
    private readonly ProcessTracker tracker;
    private readonly StderrTail stderr;
    private readonly Task stderrPump;
    private readonly Stopwatch stopwatch = Stopwatch.StartNew();
    private readonly CommandStats? stats;
    private readonly CancellationToken cancellationToken;
    private Func<ReadOnlyMemory<byte>, ValueTask>? stderrSink;
    private CancellationTokenRegistration cancellationRegistration;
    private PipeReader? stdoutReader;
    private int disposed;
    private int killed;

    private GitProcess(Process process, string subcommand, ProcessTracker tracker, int stderrTailBytes, CancellationToken cancellationToken,
        Func<ReadOnlyMemory<byte>, ValueTask>? stderrSink = null)
    {
        this.process = process;
        this.stderrSink = stderrSink;
        this.subcommand = subcommand;
        this.tracker = tracker;
        this.cancellationToken = cancellationToken;
        Id = process.Id;
        stderr = new StderrTail(stderrTailBytes);
        stderrPump = PumpStderrAsync();
        stats = CommandStats.Current;
    }

    public int Id { get; }

    public string Subcommand => subcommand;

    /// <summary>The child's stdin; only when the command was built <c>WithStdin()</c>.</summary>
    public Stream Stdin => process.StandardInput.BaseStream;

    public Stream Stdout => process.StandardOutput.BaseStream;

    /// <summary>stdout as a PipeReader, for parsing with <c>SequenceReader</c>.</summary>
    public PipeReader StdoutReader => stdoutReader ??= PipeReader.Create(Stdout, new StreamPipeReaderOptions(bufferSize: 65536, leaveOpen: true));

    /// <summary>The last bytes the child wrote to stderr, as text.</summary>
    public string Stderr => stderr.ToString();

    public bool HasExited => process.HasExited;

    /// <param name="stderrSink">Also gets every stderr chunk as it arrives (custom hooks relay theirs to the client).</param>
    internal static GitProcess Start(ProcessStartInfo psi, string subcommand, bool pipeStdin, ProcessTracker tracker, int stderrTailBytes, CancellationToken cancellationToken,
        Func<ReadOnlyMemory<byte>, ValueTask>? stderrSink = null)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var process = Process.Start(psi) ?? throw new InvalidOperationException("git did not start");
        var git = new GitProcess(process, subcommand, tracker, stderrTailBytes, cancellationToken, stderrSink);
        tracker.Add(git);
        if (!pipeStdin)
        {
            process.StandardInput.Close();
        }

        git.cancellationRegistration = cancellationToken.UnsafeRegister(static state => ((GitProcess)state!).Kill(), git);
        return git;
    }

    /// <summary>Closes stdin so the child sees end of input.</summary>
    public void CloseStdin()
    {
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The child exited and closed its end first; nothing left to signal.
        }
    }

    /// <summary>Waits for exit and returns the exit code. Throws <see cref="OperationCanceledException"/> if the call was cancelled.</summary>
    public async Task<int> WaitAsync(CancellationToken cancellationToken)
    {
        await process.WaitForExitAsync(cancellationToken);
        await stderrPump;
        this.cancellationToken.ThrowIfCancellationRequested();
        return process.ExitCode;
    }

    /// <summary>Waits for exit; a non-zero exit becomes <see cref="GitCommandException"/> carrying the stderr tail.</summary>
    public async Task WaitSuccessAsync(CancellationToken cancellationToken)
    {
        var exitCode = await WaitAsync(cancellationToken);
        if (exitCode != 0)
        {
            throw new GitCommandException(subcommand, exitCode, Stderr);
        }
    }

    /// <summary>Kills the process and everything it started. Safe to call at any time, any number of times.</summary>
    public void Kill()
    {
        if (Interlocked.Exchange(ref killed, 1) != 0)
        {
            return;
        }

        try
        {
            if (!process.HasExited && !ProcessTree.Kill(process.Id))
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already exited and reaped.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Exited between the check and the kill.
        }
    }

    internal async Task WaitForExitNoThrowAsync()
    {
        try
        {
            await process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // Never started or already disposed.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await cancellationRegistration.DisposeAsync();
        if (stdoutReader is not null)
        {
            await stdoutReader.CompleteAsync();
        }

        // A child nobody waited for is killed: the handler is done with it, and a child blocked writing to a
        // pipe nobody reads would otherwise live forever.
        if (!process.HasExited)
        {
            Kill();
        }

        await WaitForExitNoThrowAsync();
        try
        {
            await stderrPump;
        }
        catch (IOException)
        {
            // The pipe broke because the child was killed; the tail so far is all there is.
        }

        stats?.Add(stopwatch.Elapsed, TimeSpan.Zero, TimeSpan.Zero);
        tracker.Remove(this);

        // Process.Dispose leaves the pipes to the finalizer, which then holds file descriptors until a GC and
        // showed up as 5% of the server's CPU in the ListCommits profile.
        try
        {
            process.StandardInput.Dispose();
            process.StandardOutput.Dispose();
            process.StandardError.Dispose();
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            // A pipe already broken by the kill; nothing left to release.
        }

        process.Dispose();
    }

    private async Task PumpStderrAsync()
    {
        var buffer = new byte[4096];
        var stream = process.StandardError.BaseStream;
        while (true)
        {
            int read;
            try
            {
                read = await stream.ReadAsync(buffer);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                return;
            }

            if (read == 0)
            {
                return;
            }

            stderr.Append(buffer.AsSpan(0, read));
            if (stderrSink is not null)
            {
                try
                {
                    await stderrSink(buffer.AsMemory(0, read));
                }
                catch (Exception e) when (e is IOException or InvalidOperationException or OperationCanceledException)
                {
                    // Whoever relays the output is gone; keep draining so the child never blocks on a full pipe.
                    stderrSink = null;
                }
            }
        }
    }
}
