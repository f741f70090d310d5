using System.Buffers.Binary;
using System.Globalization;
using Grpc.Core;
using Lode.Core.Text;
using Lode.Server.Backchannel;
using Lode.Yamux;

namespace Lode.Server.Sidechannel;

/// <summary>
/// The server's end of a sidechannel (spec §7.2, §7.3): <see cref="Input"/> is what the client sent, de-framed and
/// ending at its <c>0000</c>; writes go to the client unframed. Close it before answering the RPC: the client only
/// trusts the result once its side saw the end.
/// </summary>
public sealed class SidechannelConnection : IAsyncDisposable
{
    private readonly YamuxStream stream;
    private int closed;

    private SidechannelConnection(YamuxStream stream)
    {
        this.stream = stream;
        Input = new SidechannelInputStream(stream);
    }

    /// <summary>The client's data; reads 0 at its <c>0000</c>, fails if the stream ends before it.</summary>
    public Stream Input { get; }

    /// <summary>Raw bytes to the client.</summary>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => stream.WriteAsync(data, cancellationToken);

    /// <summary>
    /// Opens the sidechannel the caller asked for with <c>gitaly-sidechannel-id</c>, on the caller's own multiplexed
    /// connection. Throws <see cref="SidechannelException"/> with Gitaly's messages.
    /// </summary>
    public static async Task<SidechannelConnection> OpenAsync(ServerCallContext context, CancellationToken cancellationToken)
    {
        string? idText = null;
        foreach (var entry in context.RequestHeaders)
        {
            if (!entry.IsBinary && entry.Key == SidechannelProtocol.MetadataKey)
            {
                idText = entry.Value;
            }
        }

        if (idText is null)
        {
            throw new SidechannelException("sidechannel: sidechannel-id not found in incoming metadata");
        }

        // As Gitaly, an id that does not parse is 0 (the client then refuses the stream).
        _ = long.TryParse(idText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id);

        var peer = BackchannelPeer.Find(context)
            ?? throw new SidechannelException("sidechannel: fail to extract yamux session: non-multiplexed connection");

        YamuxStream stream;
        try
        {
            stream = await peer.Session.OpenStreamAsync(cancellationToken);
        }
        catch (YamuxException e)
        {
            throw new SidechannelException("sidechannel: open stream: " + e.Message, e);
        }

        var ok = false;
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(SidechannelProtocol.Timeout);
            var hello = new byte[SidechannelProtocol.MagicLength + sizeof(long)];
            SidechannelProtocol.Magic.CopyTo(hello);
            BinaryPrimitives.WriteInt64BigEndian(hello.AsSpan(SidechannelProtocol.MagicLength), id);
            await Step("write magic bytes", () => stream.WriteAsync(hello, deadline.Token), deadline, cancellationToken);

            var answer = new byte[2];
            var filled = 0;
            while (filled < answer.Length)
            {
                var read = await Step("receive confirmation", () => stream.ReadAsync(answer.AsMemory(filled), deadline.Token), deadline, cancellationToken);
                if (read == 0)
                {
                    throw new SidechannelException("sidechannel: receive confirmation: " + (filled == 0 ? "EOF" : "unexpected EOF"));
                }

                filled += read;
            }

            if (!answer.AsSpan().SequenceEqual(SidechannelProtocol.Ok))
            {
                throw new SidechannelException("sidechannel: expected ok, got " + GoQuote.Quote(answer));
            }

            ok = true;
            return new SidechannelConnection(stream);
        }
        finally
        {
            if (!ok)
            {
                await stream.DisposeAsync();
            }
        }
    }

    /// <summary>Ends the server's output (yamux FIN) and releases the stream. Idempotent.</summary>
    public async ValueTask CloseAsync()
    {
        if (Interlocked.Exchange(ref closed, 1) == 0)
        {
            stream.CloseWrite();
            await stream.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => CloseAsync();

    private static async ValueTask Step(string what, Func<ValueTask> action, CancellationTokenSource deadline, CancellationToken call)
    {
        await Step(what, async () =>
        {
            await action();
            return 0;
        }, deadline, call);
    }

    private static async ValueTask<T> Step<T>(string what, Func<ValueTask<T>> action, CancellationTokenSource deadline, CancellationToken call)
    {
        try
        {
            return await action();
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !call.IsCancellationRequested)
        {
            throw new SidechannelException($"sidechannel: {what}: i/o deadline reached");
        }
        catch (YamuxException e)
        {
            throw new SidechannelException($"sidechannel: {what}: {e.Message}", e);
        }
    }
}
