using System.Text;

namespace Lode.Yamux.Tests;

public sealed class YamuxSessionTests
{
    [Theory]
    [InlineData(TransportKind.Tcp)]
    [InlineData(TransportKind.Unix)]
    [InlineData(TransportKind.Memory)]
    [InlineData(TransportKind.ChunkedMemory)]
    public async Task OpenStream_FromBothSides_ClientIdsOddServerIdsEven(TransportKind kind)
    {
        await using var pair = await SessionPair.CreateAsync(kind);

        var ids = new List<(uint Opened, uint Accepted)>();
        for (var i = 0; i < 3; i++)
        {
            var (c, s) = await pair.OpenAsync(pair.Client);
            ids.Add((c.Id, s.Id));
            var (s2, c2) = await pair.OpenAsync(pair.Server);
            ids.Add((s2.Id, c2.Id));

            await c.WriteAsync("ping"u8.ToArray()).Within();
            Assert.Equal("ping", await ReadStringAsync(s, 4));
            await s2.WriteAsync("pong"u8.ToArray()).Within();
            Assert.Equal("pong", await ReadStringAsync(c2, 4));
        }

        Assert.Equal([(1u, 1u), (2u, 2u), (3u, 3u), (4u, 4u), (5u, 5u), (6u, 6u)], ids);
    }

    [Fact]
    public async Task OpenStream_Syn_IsWindowUpdateWithMaxWindowDelta()
    {
        var (a, b) = TransportPair.Memory();
        var options = TestOptions.Default with { MaxStreamWindowSize = 16 * 1024 * 1024 };
        await using var session = YamuxSession.Client(a, options);
        await using var peer = new RawPeer(b);

        var stream = await session.OpenStreamAsync(CancellationToken.None).Within();
        var syn = (await peer.ReadFrameAsync())!.Value.Header;

        // hashicorp announces the extra window in the SYN itself: max - 256 KiB.
        Assert.Equal(FrameHeader.WindowUpdate(1, FrameFlags.Syn, (16 * 1024 * 1024) - (256 * 1024)), syn);
        Assert.Equal(1u, stream.Id);
    }

    [Fact]
    public async Task AcceptStream_RawSyn_SendsAckWithDefaultWindowDeltaZero()
    {
        var (a, b) = TransportPair.Memory();
        await using var session = YamuxSession.Server(a, TestOptions.Default);
        await using var peer = new RawPeer(b);

        await peer.SendAsync(FrameHeader.WindowUpdate(1, FrameFlags.Syn, 0));
        var stream = await session.AcceptStreamAsync(CancellationToken.None).Within();
        var ack = (await peer.ReadFrameAsync())!.Value.Header;

        Assert.NotNull(stream);
        Assert.Equal(FrameHeader.WindowUpdate(1, FrameFlags.Ack, 0), ack);
    }

    [Fact]
    public async Task AcceptStream_SynOnDataFrame_DeliversPayload()
    {
        var (a, b) = TransportPair.Memory();
        await using var session = YamuxSession.Server(a, TestOptions.Default);
        await using var peer = new RawPeer(b);

        await peer.SendAsync(FrameHeader.Data(5, FrameFlags.Syn | FrameFlags.Fin, 3), "abc"u8.ToArray());
        var stream = await session.AcceptStreamAsync(CancellationToken.None).Within();

        Assert.Equal("abc", Encoding.ASCII.GetString(await StreamIo.ReadToEndAsync(stream!).Within()));
    }

    [Theory]
    [InlineData(TransportKind.Tcp, 200)]
    [InlineData(TransportKind.Unix, 100)]
    [InlineData(TransportKind.ChunkedMemory, 40)]
    public async Task ManyConcurrentStreams_RandomDataBothWays_HashesMatch(TransportKind kind, int count)
    {
        await using var pair = await SessionPair.CreateAsync(kind, seed: 11);
        var serving = ServeHashAndAnswerAsync(pair.Server, count);

        var clients = new List<Task>();
        for (var i = 0; i < count; i++)
        {
            var seed = i;
            clients.Add(Task.Run(async () =>
            {
                await using var stream = await pair.Client.OpenStreamAsync(CancellationToken.None);
                var length = new Random(seed).Next(0, 300_000);
                await stream.WriteAsync(BitConverter.GetBytes(length));
                var reading = ReadHashThenDataAsync(stream);
                var sent = await StreamIo.WriteRandomAsync(stream, seed, length, maxWrite: 40_000);
                stream.CloseWrite();
                var (echoedHash, answerLength, answerHash) = await reading;

                Assert.Equal(sent, echoedHash);
                Assert.Equal(length, answerLength);
                Assert.Equal(await StreamIo.WriteRandomAsync(Stream.Null, AnswerSeed(length), length, maxWrite: 30_000), answerHash);
            }));
        }

        await Task.WhenAll(clients).Within(TimeSpan.FromSeconds(45));
        await serving.Within();
    }

    [Fact]
    public async Task ManyConcurrentStreams_EchoedData_IsIdentical()
    {
        await using var pair = await SessionPair.CreateAsync(TransportKind.Tcp);
        const int count = 200;
        var serving = Task.Run(async () =>
        {
            var echoes = new List<Task>();
            for (var i = 0; i < count; i++)
            {
                var stream = await pair.Server.AcceptStreamAsync(CancellationToken.None);
                Assert.NotNull(stream);
                echoes.Add(Task.Run(async () =>
                {
                    await stream.CopyToAsync(stream);
                    stream.CloseWrite();
                }));
            }

            await Task.WhenAll(echoes);
        });

        var clients = new List<Task>();
        for (var i = 0; i < count; i++)
        {
            var seed = 1000 + i;
            clients.Add(Task.Run(async () =>
            {
                await using var stream = await pair.Client.OpenStreamAsync(CancellationToken.None);
                var data = StreamIo.RandomBytes(seed, new Random(seed).Next(1, 200_000));
                var reading = StreamIo.ReadToEndAsync(stream);
                for (var offset = 0; offset < data.Length; offset += 7_777)
                {
                    await stream.WriteAsync(data.AsMemory(offset, Math.Min(7_777, data.Length - offset)));
                }

                stream.CloseWrite();
                Assert.Equal(data, await reading);
            }));
        }

        await Task.WhenAll(clients).Within(TimeSpan.FromSeconds(45));
        await serving.Within();
    }

    [Fact]
    public async Task Ping_BothDirections_ReturnsRoundTripTime()
    {
        await using var pair = await SessionPair.CreateAsync();

        var fromClient = await pair.Client.PingAsync(CancellationToken.None).Within();
        var fromServer = await pair.Server.PingAsync(CancellationToken.None).Within();

        Assert.InRange(fromClient, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.InRange(fromServer, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Ping_RawPeer_EchoesOpaqueValueWithAck()
    {
        var (a, b) = TransportPair.Memory();
        await using var session = YamuxSession.Server(a, TestOptions.Default);
        await using var peer = new RawPeer(b);

        await peer.SendAsync(FrameHeader.Ping(FrameFlags.Syn, 0xCAFEBABE));

        Assert.Equal(FrameHeader.Ping(FrameFlags.Ack, 0xCAFEBABE), (await peer.ReadFrameAsync())!.Value.Header);
    }

    [Fact]
    public async Task Ping_PeerNeverAnswers_TimesOut()
    {
        var (a, b) = TransportPair.Memory();
        await using var session = YamuxSession.Client(a, TestOptions.Default with { ConnectionWriteTimeout = TimeSpan.FromMilliseconds(200) });
        await using var peer = new RawPeer(b);

        var error = await Assert.ThrowsAsync<YamuxException>(() => session.PingAsync(CancellationToken.None).Within());

        Assert.Equal(YamuxError.Timeout, error.Error);
    }

    [Fact]
    public async Task KeepAlive_PeerNeverAnswers_ClosesSession()
    {
        var (a, b) = TransportPair.Memory();
        var options = YamuxOptions.Default with
        {
            KeepAliveInterval = TimeSpan.FromMilliseconds(50),
            ConnectionWriteTimeout = TimeSpan.FromMilliseconds(200),
        };
        await using var session = YamuxSession.Client(a, options);
        await using var peer = new RawPeer(b);

        await session.Closed.Within();

        Assert.Equal(YamuxError.Timeout, session.CloseError!.Error);
    }

    [Fact]
    public async Task GoAway_Remote_NewOpensFailExistingStreamsContinue()
    {
        await using var pair = await SessionPair.CreateAsync();
        var (c, s) = await pair.OpenAsync(pair.Client);

        await pair.Server.GoAwayAsync(CancellationToken.None).Within();
        await TaskTimeouts.EventuallyAsync(() =>
        {
            try
            {
                var opening = pair.Client.OpenStreamAsync(CancellationToken.None);
                opening.Wait();
                opening.Result.Reset();
                return false;
            }
            catch (AggregateException e) when (e.InnerException is YamuxException { Error: YamuxError.RemoteGoAway })
            {
                return true;
            }
        });

        await c.WriteAsync("still"u8.ToArray()).Within();
        Assert.Equal("still", await ReadStringAsync(s, 5));
        await s.WriteAsync("here"u8.ToArray()).Within();
        Assert.Equal("here", await ReadStringAsync(c, 4));

        // The side that went away may still open streams itself.
        var (s2, c2) = await pair.OpenAsync(pair.Server);
        await s2.WriteAsync("x"u8.ToArray()).Within();
        Assert.Equal("x", await ReadStringAsync(c2, 1));
    }

    [Fact]
    public async Task GoAway_Local_LaterSynIsRefusedWithRst()
    {
        var (a, b) = TransportPair.Memory();
        await using var session = YamuxSession.Server(a, TestOptions.Default);
        await using var peer = new RawPeer(b);

        await session.GoAwayAsync(CancellationToken.None).Within();
        Assert.Equal(FrameHeader.GoAway(GoAwayCode.Normal), (await peer.ReadFrameAsync())!.Value.Header);
        await peer.SendAsync(FrameHeader.WindowUpdate(1, FrameFlags.Syn, 0));

        Assert.Equal(FrameHeader.WindowUpdate(1, FrameFlags.Rst, 0), (await peer.ReadFrameAsync())!.Value.Header);
        Assert.Equal(0, session.StreamCount);
    }

    [Fact]
    public async Task AcceptBacklog_Full_NewStreamIsReset()
    {
        await using var pair = await SessionPair.CreateAsync(server: TestOptions.Default with { AcceptBacklog = 2 });

        var first = await pair.Client.OpenStreamAsync(CancellationToken.None).Within();
        var second = await pair.Client.OpenStreamAsync(CancellationToken.None).Within();
        var third = await pair.Client.OpenStreamAsync(CancellationToken.None).Within();

        var error = await Assert.ThrowsAsync<YamuxException>(() => third.ReadAsync(new byte[1]).Within());
        Assert.Equal(YamuxError.StreamReset, error.Error);

        // The two that fit are still accepted and usable.
        await first.WriteAsync("1"u8.ToArray()).Within();
        await second.WriteAsync("2"u8.ToArray()).Within();
        var a1 = await pair.Server.AcceptStreamAsync(CancellationToken.None).Within();
        var a2 = await pair.Server.AcceptStreamAsync(CancellationToken.None).Within();
        Assert.Equal("1", await ReadStringAsync(a1!, 1));
        Assert.Equal("2", await ReadStringAsync(a2!, 1));
    }

    [Fact]
    public async Task OpenStream_BacklogOfUnackedOpens_WaitsForAck()
    {
        // Gitaly's server runs with backlog 1: it may have only one opened stream waiting for the client's ACK.
        await using var pair = await SessionPair.CreateAsync(server: TestOptions.Default with { AcceptBacklog = 1 });

        var first = await pair.Server.OpenStreamAsync(CancellationToken.None).Within();
        var second = pair.Server.OpenStreamAsync(CancellationToken.None);
        await Task.Delay(100);
        Assert.False(second.IsCompleted);

        await pair.Client.AcceptStreamAsync(CancellationToken.None).Within();
        var opened = await second.Within();

        Assert.Equal(2u, first.Id);
        Assert.Equal(4u, opened.Id);
    }

    [Fact]
    public async Task CloseAsync_WithOpenStreams_FailsEveryStreamOnBothSides()
    {
        var pair = await SessionPair.CreateAsync();
        var (c, s) = await pair.OpenAsync(pair.Client);
        var (s2, c2) = await pair.OpenAsync(pair.Server);
        var pendingReads = new[] { c.ReadAsync(new byte[10]).AsTask(), s.ReadAsync(new byte[10]).AsTask(), s2.ReadAsync(new byte[10]).AsTask(), c2.ReadAsync(new byte[10]).AsTask() };
        var accepting = pair.Server.AcceptStreamAsync(CancellationToken.None);

        await pair.Client.CloseAsync().Within();
        await pair.Server.Closed.Within();

        foreach (var read in pendingReads)
        {
            var error = await Assert.ThrowsAsync<YamuxException>(() => read.Within());
            Assert.Equal(YamuxError.SessionClosed, error.Error);
        }

        Assert.Null(await accepting.Within());
        Assert.Null(pair.Client.CloseError);
        Assert.Equal(YamuxError.ConnectionClosed, pair.Server.CloseError!.Error);
        await Assert.ThrowsAsync<YamuxException>(() => c.WriteAsync(new byte[1]).Within());
        await Assert.ThrowsAsync<YamuxException>(() => pair.Client.OpenStreamAsync(CancellationToken.None).Within());
        await Assert.ThrowsAsync<YamuxException>(() => pair.Server.OpenStreamAsync(CancellationToken.None).Within());
        await pair.DisposeAsync();
    }

    [Fact]
    public async Task AbruptTransportClose_PendingReadsAndWritesFailPromptly()
    {
        var pair = await SessionPair.CreateAsync(TransportKind.Tcp);
        var (c, s) = await pair.OpenAsync(pair.Client);

        // A write stuck on an exhausted window and reads with nothing to read.
        var stuckWrite = c.WriteAsync(new byte[1024 * 1024]).AsTask();
        await TaskTimeouts.EventuallyAsync(() => c.SendWindow == 0);
        var clientRead = c.ReadAsync(new byte[10]).AsTask();
        var (s2, c2) = await pair.OpenAsync(pair.Server);
        var serverRead = s2.ReadAsync(new byte[10]).AsTask();

        pair.ClientTransport.Dispose();

        var deadline = TimeSpan.FromSeconds(5);
        Assert.IsType<YamuxException>(await Record.ExceptionAsync(() => stuckWrite.Within(deadline)));
        Assert.IsType<YamuxException>(await Record.ExceptionAsync(() => clientRead.Within(deadline)));
        Assert.IsType<YamuxException>(await Record.ExceptionAsync(() => serverRead.Within(deadline)));
        await pair.Client.Closed.Within(deadline);
        await pair.Server.Closed.Within(deadline);
        _ = s;
        _ = c2;
        await pair.DisposeAsync();
    }

    [Fact]
    public async Task WriteTimeout_PeerStopsReading_SessionClosesAndWriteFails()
    {
        // The in-memory transport takes 64 KiB before it blocks; the raw peer never reads.
        var (a, b) = TransportPair.Memory();
        var session = YamuxSession.Server(a, TestOptions.Default with { ConnectionWriteTimeout = TimeSpan.FromMilliseconds(200) });
        await using var peer = new RawPeer(b);
        await peer.SendAsync(FrameHeader.WindowUpdate(1, FrameFlags.Syn, 0));
        var stream = (await session.AcceptStreamAsync(CancellationToken.None).Within())!;

        var error = await Assert.ThrowsAsync<YamuxException>(() => stream.WriteAsync(new byte[200_000]).Within());
        await session.Closed.Within();

        Assert.Equal(YamuxError.WriteTimeout, session.CloseError!.Error);
        Assert.Contains(error.Error, new[] { YamuxError.WriteTimeout, YamuxError.SessionClosed });
    }

    [Fact]
    public async Task Dispose_Stream_WhileReadPending_ReadFailsWithObjectDisposed()
    {
        await using var pair = await SessionPair.CreateAsync();
        var (c, s) = await pair.OpenAsync(pair.Client);
        var reading = s.ReadAsync(new byte[10]).AsTask();

        s.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => reading.Within());
        Assert.Equal(0, await c.ReadAsync(new byte[1]).Within());
    }

    [Fact]
    public async Task Dispose_Session_ReleasesTransportAndCompletesClosed()
    {
        var (a, b) = await TransportPair.TcpAsync();
        var session = YamuxSession.Client(a, TestOptions.Default);
        await using var peer = new RawPeer(b);

        session.Dispose();
        await session.Closed.Within();

        var frames = await peer.ReadUntilEndAsync().Within();
        Assert.Equal([FrameHeader.GoAway(GoAwayCode.Normal)], frames);
    }

    private static int AnswerSeed(int length) => length ^ 0x5555;

    /// <summary>Each stream: a 4-byte length, that many bytes, FIN. The answer: their SHA-256, then as many bytes of its own.</summary>
    private static async Task ServeHashAndAnswerAsync(YamuxSession server, int count)
    {
        var handlers = new List<Task>();
        for (var i = 0; i < count; i++)
        {
            var stream = await server.AcceptStreamAsync(CancellationToken.None);
            Assert.NotNull(stream);
            handlers.Add(Task.Run(async () =>
            {
                await using (stream)
                {
                    var header = new byte[4];
                    await stream.ReadExactlyAsync(header);
                    var length = BitConverter.ToInt32(header);
                    var (received, hash) = await StreamIo.HashToEndAsync(stream);
                    Assert.Equal(length, received);
                    await stream.WriteAsync(hash);
                    await StreamIo.WriteRandomAsync(stream, AnswerSeed(length), length, maxWrite: 30_000);
                    stream.CloseWrite();
                }
            }));
        }

        await Task.WhenAll(handlers);
    }

    private static async Task<(byte[] Hash, long Length, byte[] DataHash)> ReadHashThenDataAsync(Stream stream)
    {
        var hash = new byte[32];
        await stream.ReadExactlyAsync(hash);
        var (length, dataHash) = await StreamIo.HashToEndAsync(stream);
        return (hash, length, dataHash);
    }

    private static async Task<string> ReadStringAsync(Stream stream, int length)
    {
        var buffer = new byte[length];
        await stream.ReadExactlyAsync(buffer).AsTask().Within();
        return Encoding.ASCII.GetString(buffer);
    }
}
