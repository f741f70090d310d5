namespace Lode.Yamux.Tests;

/// <summary>A misbehaving peer gets GoAway(protocol error) and a closed session; nothing throws out, nothing hangs.</summary>
public sealed class ProtocolErrorTests
{
    public static TheoryData<string, byte[]> BadInputs() => new()
    {
        { "bad-version", Frame(new FrameHeader(FrameType.Ping, FrameFlags.Syn, 0, 1), version: 1) },
        { "unknown-type", Frame(new FrameHeader((FrameType)4, FrameFlags.None, 0, 0)) },
        { "data-stream-0", Frame(FrameHeader.Data(0, FrameFlags.None, 1), [1]) },
        { "data-never-opened", Frame(FrameHeader.Data(1, FrameFlags.None, 1), [1]) },
        { "window-update-never-opened", Frame(FrameHeader.WindowUpdate(9, FrameFlags.None, 10)) },
        { "syn-with-server-parity", Frame(FrameHeader.WindowUpdate(2, FrameFlags.Syn, 0)) },
        { "duplicate-syn", [.. Frame(FrameHeader.WindowUpdate(1, FrameFlags.Syn, 0)), .. Frame(FrameHeader.WindowUpdate(1, FrameFlags.Syn, 0))] },
        { "window-exceeded", [.. Frame(FrameHeader.WindowUpdate(1, FrameFlags.Syn, 0)), .. Frame(FrameHeader.Data(1, FrameFlags.None, 256 * 1024 + 1), new byte[256 * 1024 + 1])] },
        { "window-exceeded-over-two-frames", [.. Frame(FrameHeader.WindowUpdate(1, FrameFlags.Syn, 0)), .. Frame(FrameHeader.Data(1, FrameFlags.None, 200 * 1024), new byte[200 * 1024]), .. Frame(FrameHeader.Data(1, FrameFlags.None, 100 * 1024), new byte[100 * 1024])] },
        { "huge-length", Frame(FrameHeader.Data(1, FrameFlags.Syn, uint.MaxValue)) },
        { "data-after-fin", [.. Frame(FrameHeader.WindowUpdate(1, FrameFlags.Syn | FrameFlags.Fin, 0)), .. Frame(FrameHeader.Data(1, FrameFlags.None, 1), [1])] },
        { "duplicate-fin", [.. Frame(FrameHeader.WindowUpdate(1, FrameFlags.Syn | FrameFlags.Fin, 0)), .. Frame(FrameHeader.WindowUpdate(1, FrameFlags.Fin, 0))] },
        { "window-overflow", [.. Frame(FrameHeader.WindowUpdate(1, FrameFlags.Syn, uint.MaxValue))] },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Server_ProtocolViolation_SendsGoAwayProtocolErrorAndCloses(string name, byte[] input)
    {
        var (a, b) = TransportPair.Memory();
        var session = YamuxSession.Server(a, TestOptions.Default);
        await using var peer = new RawPeer(b);
        var accepting = session.AcceptStreamAsync(CancellationToken.None);

        try
        {
            await peer.SendBytesAsync(input);
        }
        catch (IOException)
        {
            // The session may close before it has read everything (the window check is made on the header).
        }

        var frames = await peer.ReadUntilEndAsync().Within();
        await session.Closed.Within();

        Assert.Equal(FrameHeader.GoAway(GoAwayCode.ProtocolError), frames[^1]);
        Assert.Equal(YamuxError.ProtocolError, session.CloseError!.Error);
        var accepted = await accepting.Within();
        if (accepted is not null)
        {
            // Reading ends: with the stream's own FIN if the peer sent one before the violation, else with an error.
            var error = await Record.ExceptionAsync(() => StreamIo.ReadToEndAsync(accepted).Within());
            Assert.True(error is null or YamuxException, error?.ToString());
        }

        _ = name;
    }

    [Fact]
    public async Task DataForStaleStream_IsDroppedAndSessionContinues()
    {
        var (a, b) = TransportPair.Memory();
        await using var session = YamuxSession.Server(a, TestOptions.Default);
        await using var peer = new RawPeer(b);
        await peer.SendAsync(FrameHeader.WindowUpdate(1, FrameFlags.Syn, 0));
        var stream = (await session.AcceptStreamAsync(CancellationToken.None).Within())!;
        stream.Reset();
        await peer.ExpectAsync(h => h.Flags == FrameFlags.Rst);

        // Frames the peer sent before it saw the reset.
        await peer.SendAsync(FrameHeader.Data(1, FrameFlags.None, 5), [1, 2, 3, 4, 5]);
        await peer.SendAsync(FrameHeader.WindowUpdate(1, FrameFlags.Fin, 0));
        await peer.SendAsync(FrameHeader.Ping(FrameFlags.Syn, 5));

        Assert.Equal(FrameHeader.Ping(FrameFlags.Ack, 5), (await peer.ReadFrameAsync())!.Value.Header);
        Assert.False(session.IsClosed);
    }

    [Fact]
    public async Task RemoteGoAwayProtocolError_ClosesSessionWithoutAnswering()
    {
        var (a, b) = TransportPair.Memory();
        var session = YamuxSession.Client(a, TestOptions.Default);
        await using var peer = new RawPeer(b);

        await peer.SendAsync(FrameHeader.GoAway(GoAwayCode.ProtocolError));
        var frames = await peer.ReadUntilEndAsync().Within();
        await session.Closed.Within();

        Assert.Empty(frames);
        Assert.Equal(YamuxError.RemoteProtocolError, session.CloseError!.Error);
    }

    [Fact]
    public async Task TransportEndsInsideAFrame_SessionClosesWithConnectionClosed()
    {
        var (a, b) = TransportPair.Memory();
        var session = YamuxSession.Server(a, TestOptions.Default);
        await using var peer = new RawPeer(b);
        await peer.SendAsync(FrameHeader.WindowUpdate(1, FrameFlags.Syn, 0));
        var stream = (await session.AcceptStreamAsync(CancellationToken.None).Within())!;

        await peer.SendBytesAsync([.. Frame(FrameHeader.Data(1, FrameFlags.None, 100)), 1, 2, 3]);
        var read = new byte[3];
        await stream.ReadExactlyAsync(read).AsTask().Within();
        var pending = stream.ReadAsync(new byte[1]).AsTask();
        peer.CloseTransport();

        await session.Closed.Within();
        Assert.Equal(YamuxError.ConnectionClosed, session.CloseError!.Error);
        Assert.Equal(YamuxError.SessionClosed, (await Assert.ThrowsAsync<YamuxException>(() => pending.Within())).Error);
    }

    internal static byte[] Frame(FrameHeader header, byte[]? payload = null, byte version = 0)
    {
        var bytes = new byte[FrameHeader.Size + (payload?.Length ?? 0)];
        header.Write(bytes);
        bytes[0] = version;
        payload?.CopyTo(bytes, FrameHeader.Size);
        return bytes;
    }
}
