using System.Buffers;
using System.Text;

namespace Lode.Git.CatFile;

/// <summary>
/// Buffers <c>--batch-command</c> commands and writes them to git's stdin.
/// </summary>
/// <remarks>
/// Writes never block the caller. git stops reading stdin while its stdout pipe is full, so a caller that queued
/// thousands of requests before reading any answer would deadlock on a blocking write. Instead commands go to an
/// in-memory buffer and a pump task copies it to stdin; the pump runs inline until a write cannot complete at
/// once, then continues in the background while the caller reads. The buffer holds only command text (tens of
/// bytes a request), bounded by what the caller queued.
/// </remarks>
internal sealed class CatFileRequestWriter
{
    /// <summary>Queued commands beyond this are handed to git before the caller flushes, so git starts early.</summary>
    private const int EagerSendBytes = 32 * 1024;

    /// <summary>A buffer grown past this by one large queue is dropped rather than kept for the process lifetime.</summary>
    private const int RetainedCapacity = 256 * 1024;

    private readonly Stream stdin;
    private readonly CancellationToken lifetime;
    private readonly Lock gate = new();
    private ArrayBufferWriter<byte> pending = new(1024);
    private ArrayBufferWriter<byte>? spare = new(1024);
    private bool pumping;
    private Task pump = Task.CompletedTask;

    public CatFileRequestWriter(Stream stdin, CancellationToken lifetime)
    {
        this.stdin = stdin;
        this.lifetime = lifetime;
    }

    /// <summary>Set when writing to git failed (it exited); the read side then sees the end of output.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>The pump, for shutdown: completes when everything handed over so far was written or failed.</summary>
    public Task Completion
    {
        get
        {
            lock (gate)
            {
                return pump;
            }
        }
    }

    /// <summary>Queues <c>&lt;command&gt; &lt;revision&gt;\0</c>.</summary>
    public void Append(ReadOnlySpan<byte> command, ReadOnlySpan<byte> revision)
    {
        bool send;
        lock (gate)
        {
            var span = pending.GetSpan(command.Length + revision.Length + 2);
            command.CopyTo(span);
            span[command.Length] = (byte)' ';
            revision.CopyTo(span[(command.Length + 1)..]);
            span[command.Length + 1 + revision.Length] = 0;
            pending.Advance(command.Length + revision.Length + 2);
            send = pending.WrittenCount >= EagerSendBytes;
        }

        if (send)
        {
            Send();
        }
    }

    /// <summary>Queues a command whose revision is a string, encoded as UTF-8 without an intermediate array.</summary>
    public void Append(ReadOnlySpan<byte> command, string revision)
    {
        var length = Encoding.UTF8.GetByteCount(revision);
        if (length <= 512)
        {
            Span<byte> encoded = stackalloc byte[length];
            Encoding.UTF8.GetBytes(revision, encoded);
            Append(command, encoded);
            return;
        }

        Append(command, Encoding.UTF8.GetBytes(revision));
    }

    /// <summary>Queues <c>flush</c> and hands everything queued to git.</summary>
    public void Flush()
    {
        lock (gate)
        {
            pending.Write("flush\0"u8);
        }

        Send();
    }

    /// <summary>Starts the pump unless it is already running; it takes whatever is queued when it gets there.</summary>
    private void Send()
    {
        lock (gate)
        {
            if (pumping || pending.WrittenCount == 0)
            {
                return;
            }

            pumping = true;
        }

        // Only one pump runs at a time (the flag above), so the latest task is the one to wait for at shutdown.
        var task = PumpAsync();
        lock (gate)
        {
            pump = task;
        }
    }

    private async Task PumpAsync()
    {
        while (true)
        {
            ArrayBufferWriter<byte> batch;
            lock (gate)
            {
                if (pending.WrittenCount == 0 || Failure is not null)
                {
                    pumping = false;
                    return;
                }

                batch = pending;
                pending = spare ?? new ArrayBufferWriter<byte>(1024);
                spare = null;
            }

            try
            {
                await stdin.WriteAsync(batch.WrittenMemory, lifetime);
                await stdin.FlushAsync(lifetime);
            }
            catch (Exception e)
            {
                // git exited or was killed (broken pipe, disposed stream, cancelled lifetime): nothing more can be
                // sent. Nobody awaits the pump, so the error is kept for the reader, which sees the output end.
                lock (gate)
                {
                    Failure = e;
                    pumping = false;
                }

                return;
            }

            batch.ResetWrittenCount();
            lock (gate)
            {
                spare = batch.Capacity > RetainedCapacity ? null : batch;
            }
        }
    }
}
