using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Lode.Core.Errors;
using Lode.Core.Storage;
using Lode.Git.Commands;
using Lode.Git.Objects;

namespace Lode.Git.Refs;

/// <summary>
/// An all-or-nothing change of many refs through one <c>git update-ref -z --stdin</c> transaction:
/// <c>start</c>, then any number of <see cref="UpdateAsync"/> (each with an optional check of the old value),
/// <see cref="PrepareAsync"/> (locks every ref and checks the old values), <see cref="CommitAsync"/>. If any step
/// fails, or the transaction is disposed before it is committed, git aborts it: no ref changes and every lock is
/// released. Failures are <see cref="RefTransactionException"/>s whose <see cref="RefTransactionException.Kind"/>
/// says why (a locked ref, an old-value mismatch, an invalid name, …), read from git's stderr.
/// </summary>
/// <remarks>
/// <para>Used by RefService (UpdateReferences, DeleteRefs) and meant for the push path and OperationService. The
/// reference-transaction hook is wired in through <see cref="RefTransactionOptions.ConfigureCommand"/>.</para>
/// <para>git runs under its own lifetime, not the request's: when a request is cancelled the caller's awaits throw
/// and disposing closes stdin, which makes git abort and remove its lock files. Killing git instead (as a request
/// token would) could leave <c>.lock</c> files behind; git is killed only if it does not exit within
/// <see cref="RefTransactionOptions.AbortTimeout"/>.</para>
/// <para>Not thread-safe: one caller drives a transaction.</para>
/// </remarks>
public sealed class RefTransaction : IAsyncDisposable
{
    private static readonly byte[] StartCommand = "start\0"u8.ToArray();
    private static readonly byte[] PrepareCommand = "prepare\0"u8.ToArray();
    private static readonly byte[] CommitCommand = "commit\0"u8.ToArray();

    private readonly GitProcess process;
    private readonly CancellationTokenSource lifetime;
    private readonly Stream stdin;
    private readonly PipeReader stdout;
    private readonly ObjectFormat format;
    private readonly TimeSpan abortTimeout;
    private readonly List<byte[]> references = [];
    private State state = State.Idle;
    private Exception? failure;
    private int disposed;

    private RefTransaction(GitProcess process, CancellationTokenSource lifetime, ObjectFormat format, TimeSpan abortTimeout)
    {
        this.process = process;
        this.lifetime = lifetime;
        this.format = format;
        this.abortTimeout = abortTimeout;
        stdin = new BufferedStream(process.Stdin, 64 * 1024);
        stdout = process.StdoutReader;
    }

    private enum State
    {
        Idle,
        Started,
        Prepared,
        Committed,
        Failed,
    }

    /// <summary>The repository's object format: <see cref="ObjectFormat.ZeroOid"/> is its "no object".</summary>
    public ObjectFormat Format => format;

    /// <summary>How many updates were queued.</summary>
    public int Count => references.Count;

    /// <summary>Starts git and opens the transaction (<c>start</c>).</summary>
    public static async Task<RefTransaction> StartAsync(GitCommandFactory git, RepositoryPaths repository, ObjectFormat format,
        RefTransactionOptions? options, CancellationToken cancellationToken)
    {
        options ??= new RefTransactionOptions();
        var command = git.Create(repository, GitSubcommand.UpdateRef).Flags("-z", "--stdin").WithStdin();
        if (options.NoDeref)
        {
            command.Flag("--no-deref");
        }

        options.ConfigureCommand?.Invoke(command);

        var lifetime = new CancellationTokenSource();
        GitProcess process;
        try
        {
            using (cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), lifetime))
            {
                process = await command.StartAsync(lifetime.Token);
            }
        }
        catch
        {
            lifetime.Dispose();
            throw;
        }

        var transaction = new RefTransaction(process, lifetime, format, options.AbortTimeout);
        try
        {
            await transaction.SetStateAsync(StartCommand, "start", cancellationToken);
            transaction.state = State.Started;
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Queues <c>update</c>: set <paramref name="reference"/> to <paramref name="newOid"/> (the zero id deletes it),
    /// only if it currently is <paramref name="oldOid"/> (the zero id: only if it does not exist; null or empty: any
    /// value). Nothing is locked or checked until <see cref="PrepareAsync"/> or <see cref="CommitAsync"/>, except that
    /// git refuses a malformed name at once.
    /// </summary>
    public async Task UpdateAsync(ReadOnlyMemory<byte> reference, string newOid, string? oldOid, CancellationToken cancellationToken)
    {
        Expect(State.Started);
        if (reference.Span.Contains((byte)0))
        {
            throw LodeException.InvalidArgument("reference name contains a NUL byte");
        }

        var name = reference.ToArray();
        references.Add(name);
        var old = oldOid ?? "";
        var length = "update ".Length + name.Length + 1 + Encoding.ASCII.GetByteCount(newOid) + 1 + Encoding.ASCII.GetByteCount(old) + 1;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var position = 0;
            "update "u8.CopyTo(buffer);
            position += "update ".Length;
            name.CopyTo(buffer, position);
            position += name.Length;
            buffer[position++] = 0;
            position += Encoding.ASCII.GetBytes(newOid, buffer.AsSpan(position));
            buffer[position++] = 0;
            position += Encoding.ASCII.GetBytes(old, buffer.AsSpan(position));
            buffer[position++] = 0;
            await WriteAsync(buffer.AsMemory(0, position), cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Queues the creation of <paramref name="reference"/>, which must not exist yet.</summary>
    public Task CreateAsync(ReadOnlyMemory<byte> reference, string oid, CancellationToken cancellationToken) =>
        UpdateAsync(reference, oid, format.ZeroOid, cancellationToken);

    /// <summary>Queues the deletion of <paramref name="reference"/>; with <paramref name="oldOid"/> null it is forced.</summary>
    public Task DeleteAsync(ReadOnlyMemory<byte> reference, string? oldOid, CancellationToken cancellationToken) =>
        UpdateAsync(reference, format.ZeroOid, oldOid, cancellationToken);

    /// <summary>
    /// <c>prepare</c>: locks every ref and checks the old values. After this the transaction can still be aborted
    /// (by disposing), but a commit no longer fails for a lock or a mismatch. Optional: <see cref="CommitAsync"/>
    /// prepares too.
    /// </summary>
    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        Expect(State.Started);
        await SetStateAsync(PrepareCommand, "prepare", cancellationToken);
        state = State.Prepared;
    }

    /// <summary><c>commit</c>: applies every update, then waits for git to exit.</summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (state != State.Prepared)
        {
            Expect(State.Started);
        }

        await SetStateAsync(CommitCommand, "commit", cancellationToken);
        state = State.Committed;
        try
        {
            await stdin.FlushAsync(cancellationToken);
        }
        finally
        {
            process.CloseStdin();
        }

        var exitCode = await process.WaitAsync(cancellationToken);
        if (exitCode != 0)
        {
            // The refs were written (git said "commit: ok"); a late failure is reported but cannot be undone.
            throw Fail(new GitCommandException(GitSubcommand.UpdateRef.Name, exitCode, process.Stderr));
        }
    }

    /// <summary>Aborts the transaction unless it was committed, and waits until git has exited.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await CloseAndWaitAsync();
        await process.DisposeAsync();
        lifetime.Dispose();
    }

    private void Expect(State expected)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        if (failure is not null)
        {
            throw failure;
        }

        if (state != expected)
        {
            throw new InvalidOperationException($"reference transaction is {state}, expected {expected}");
        }
    }

    private async Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            await stdin.WriteAsync(data, cancellationToken);
        }
        catch (IOException e)
        {
            // git exited early, typically refusing a ref name: its stderr says why.
            throw await FailFromGitAsync(e);
        }
    }

    /// <summary>Sends a state command and waits for git's "<c>&lt;state&gt;: ok</c>".</summary>
    private async Task SetStateAsync(byte[] command, string name, CancellationToken cancellationToken)
    {
        await WriteAsync(command, cancellationToken);
        string? line;
        try
        {
            await stdin.FlushAsync(cancellationToken);
            line = await ReadLineAsync(cancellationToken);
        }
        catch (IOException e)
        {
            throw await FailFromGitAsync(e);
        }

        if (line == name + ": ok")
        {
            return;
        }

        if (line is null)
        {
            throw await FailFromGitAsync(null);
        }

        throw Fail(LodeException.Internal($"state update to \"{name}\" not successful: expected ok, got \"{line}\""));
    }

    private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await stdout.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var newline = buffer.PositionOf((byte)'\n');
            if (newline is { } end)
            {
                var line = Encoding.UTF8.GetString(buffer.Slice(0, end));
                stdout.AdvanceTo(buffer.GetPosition(1, end));
                return line;
            }

            stdout.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return null;
            }
        }
    }

    /// <summary>git stopped: waits for it, and turns its stderr into the failure.</summary>
    private async Task<Exception> FailFromGitAsync(Exception? inner)
    {
        var exitCode = await CloseAndWaitAsync();
        var stderr = process.Stderr;
        Exception error = UpdateRefErrorParser.Parse(stderr, references)
            ?? new RefTransactionException(RefTransactionErrorKind.Other,
                exitCode is { } code ? $"exit status {code}" : "update-ref did not exit", stderr, inner);
        return Fail(error);
    }

    private Exception Fail(Exception error)
    {
        state = State.Failed;
        failure ??= error;
        return failure;
    }

    /// <summary>
    /// Closes stdin (git aborts an uncommitted transaction at end of input) and waits for git to exit; returns its
    /// exit code, or null when it had to be killed.
    /// </summary>
    private async Task<int?> CloseAndWaitAsync()
    {
        if (state != State.Committed)
        {
            // Dropping what is still buffered is fine: an aborted transaction needs none of it.
            process.CloseStdin();
        }

        try
        {
            lifetime.CancelAfter(abortTimeout);
            return await process.WaitAsync(lifetime.Token);
        }
        catch (OperationCanceledException)
        {
            // git did not exit in time (or the server is stopping): disposing the process kills it.
            return null;
        }
    }
}
