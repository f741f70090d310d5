using System.Text;

namespace Lode.Yamux.Tests;

public sealed class YamuxStreamTests
{
    [Theory]
    [InlineData(TransportKind.Tcp)]
    [InlineData(TransportKind.ChunkedMemory)]
    public async Task CloseWrite_PeerReadsZeroWhileOtherDirectionStillWorks(TransportKind kind)
    {
        await using var pair = await SessionPair.CreateAsync(kind, seed: 3);
        var (c, s) = await pair.OpenAsync(pair.Client);

        await c.WriteAsync("hello"u8.ToArray()).Within();
        c.CloseWrite();

        Assert.Equal("hello", Encoding.ASCII.GetString(await StreamIo.ReadToEndAsync(s).Within()));
        Assert.Equal(0, await s.ReadAsync(new byte[10]).Within());

        await s.WriteAsync("world"u8.ToArray()).Within();
        var buffer = new byte[5];
        await c.ReadExactlyAsync(buffer).AsTask().Within();
        Assert.Equal("world", Encoding.ASCII.GetString(buffer));

        s.CloseWrite();
        Assert.Equal(0, await c.ReadAsync(buffer).Within());
        await TaskTimeouts.EventuallyAsync(() => pair.Client.StreamCount == 0 && pair.Server.StreamCount == 0);
    }

    [Fact]
    public async Task Write_AfterCloseWrite_ThrowsStreamClosed()
    {
        await using var pair = await SessionPair.CreateAsync();
        var (c, _) = await pair.OpenAsync(pair.Client);

        c.CloseWrite();
        c.CloseWrite();

        var error = await Assert.ThrowsAsync<YamuxException>(() => c.WriteAsync(new byte[1]).Within());
        Assert.Equal(YamuxError.StreamClosed, error.Error);
    }

    [Fact]
    public async Task CloseWrite_RawPeer_SendsWindowUpdateFinAfterData()
    {
        var (a, b) = TransportPair.Memory();
        await using var session = YamuxSession.Client(a, TestOptions.Default);
        await using var peer = new RawPeer(b);

        var stream = await session.OpenStreamAsync(CancellationToken.None).Within();
        await stream.WriteAsync("abc"u8.ToArray()).Within();
        stream.CloseWrite();

        Assert.Equal(FrameHeader.WindowUpdate(1, FrameFlags.Syn, 0), (await peer.ReadFrameAsync())!.Value.Header);
        var data = (await peer.ReadFrameAsync())!.Value;
        Assert.Equal(FrameHeader.Data(1, FrameFlags.None, 3), data.Header);
        Assert.Equal("abc"u8.ToArray(), data.Payload);
        Assert.Equal(FrameHeader.WindowUpdate(1, FrameFlags.Fin, 0), (await peer.ReadFrameAsync())!.Value.Header);
    }

    [Fact]
    public async Task Reset_BothSidesSeeTheReset()
    {
        await using var pair = await SessionPair.CreateAsync();
        var (c, s) = await pair.OpenAsync(pair.Client);
        await c.WriteAsync("unread"u8.ToArray()).Within();
        await TaskTimeouts.EventuallyAsync(() => s.UnconsumedBytes == 6);
        var pendingClientRead = c.ReadAsync(new byte[10]).AsTask();

        c.Reset();

        var local = await Assert.ThrowsAsync<YamuxException>(() => pendingClientRead.Within());
        Assert.Equal(YamuxError.StreamReset, local.Error);
        Assert.Equal(YamuxError.StreamReset, (await Assert.ThrowsAsync<YamuxException>(() => c.WriteAsync(new byte[1]).Within())).Error);

        // Buffered data is not delivered after a reset: a reset stream's data cannot be trusted to be complete.
        await TaskTimeouts.EventuallyAsync(() => pair.Server.StreamCount == 0);
        var remoteRead = await Assert.ThrowsAsync<YamuxException>(() => s.ReadAsync(new byte[10]).Within());
        Assert.Equal(YamuxError.StreamReset, remoteRead.Error);
        var remoteWrite = await Assert.ThrowsAsync<YamuxException>(() => s.WriteAsync(new byte[1]).Within());
        Assert.IsAssignableFrom<IOException>(remoteWrite);
        Assert.Equal(YamuxError.StreamReset, remoteWrite.Error);
        Assert.Equal(0, pair.Client.StreamCount);
    }

    [Fact]
    public async Task Reset_WhileWriterWaitsForWindow_WriterFails()
    {
        await using var pair = await SessionPair.CreateAsync();
        var (c, s) = await pair.OpenAsync(pair.Client);
        var writing = c.WriteAsync(new byte[2 * 1024 * 1024]).AsTask();
        await TaskTimeouts.EventuallyAsync(() => c.SendWindow == 0);

        s.Reset();

        var error = await Assert.ThrowsAsync<YamuxException>(() => writing.Within());
        Assert.Equal(YamuxError.StreamReset, error.Error);
    }

    [Fact]
    public async Task Reset_Session_KeepsWorkingForOtherStreams()
    {
        await using var pair = await SessionPair.CreateAsync();
        var (c1, _) = await pair.OpenAsync(pair.Client);
        var (c2, s2) = await pair.OpenAsync(pair.Client);

        // Data racing with the reset arrives for a forgotten stream and must be dropped quietly.
        var flood = Task.Run(async () =>
        {
            try
            {
                for (var i = 0; i < 100; i++)
                {
                    await c1.WriteAsync(new byte[1000]);
                }
            }
            catch (YamuxException)
            {
            }
        });
        c1.Reset();
        await flood.Within();

        await c2.WriteAsync("ok"u8.ToArray()).Within();
        var buffer = new byte[2];
        await s2.ReadExactlyAsync(buffer).AsTask().Within();
        Assert.Equal("ok"u8.ToArray(), buffer);
        await pair.Client.PingAsync(CancellationToken.None).Within();
        Assert.False(pair.Client.IsClosed);
        Assert.False(pair.Server.IsClosed);
    }

    [Fact]
    public async Task Dispose_SendsFinAndPeerReadsToEnd()
    {
        await using var pair = await SessionPair.CreateAsync();
        var (c, s) = await pair.OpenAsync(pair.Client);

        await c.WriteAsync("bye"u8.ToArray()).Within();
        await c.DisposeAsync();

        Assert.Equal("bye"u8.ToArray(), await StreamIo.ReadToEndAsync(s).Within());
        Assert.False(c.CanRead);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => c.ReadAsync(new byte[1]).Within());
    }

    [Fact]
    public async Task Dispose_WithUnreadDataAndPeerStillWriting_PeerCanFinish()
    {
        await using var pair = await SessionPair.CreateAsync();
        var (c, s) = await pair.OpenAsync(pair.Client);

        // The server writes far more than one window; the client disposes without reading. The window comes back
        // as the data is dropped, so the server's write completes and its FIN ends the stream on both sides.
        var writing = s.WriteAsync(new byte[3 * 1024 * 1024]).AsTask();
        await TaskTimeouts.EventuallyAsync(() => c.UnconsumedBytes > 0);
        c.Dispose();

        await writing.Within();
        Assert.Equal(0, await s.ReadAsync(new byte[1]).Within());
        s.CloseWrite();
        await TaskTimeouts.EventuallyAsync(() => pair.Client.StreamCount == 0 && pair.Server.StreamCount == 0);
    }

    [Fact]
    public async Task Dispose_PeerNeverSendsFin_ResetAfterCloseTimeout()
    {
        var options = TestOptions.Default with { StreamCloseTimeout = TimeSpan.FromMilliseconds(100) };
        await using var pair = await SessionPair.CreateAsync(client: options);
        var (c, s) = await pair.OpenAsync(pair.Client);

        c.Dispose();
        Assert.Equal(0, await s.ReadAsync(new byte[1]).Within());

        var error = await Assert.ThrowsAsync<YamuxException>(async () =>
        {
            while (true)
            {
                await s.WriteAsync(new byte[1]);
                await Task.Delay(10);
            }
        }).Within();
        Assert.Equal(YamuxError.StreamReset, error.Error);
        Assert.Equal(0, pair.Client.StreamCount);
    }

    [Fact]
    public async Task Read_ZeroLengthBuffer_WaitsForDataWithoutConsuming()
    {
        await using var pair = await SessionPair.CreateAsync();
        var (c, s) = await pair.OpenAsync(pair.Client);

        var zero = s.ReadAsync(Memory<byte>.Empty).AsTask();
        await Task.Delay(50);
        Assert.False(zero.IsCompleted);
        await c.WriteAsync("z"u8.ToArray()).Within();

        Assert.Equal(0, await zero.Within());
        var buffer = new byte[1];
        Assert.Equal(1, await s.ReadAsync(buffer).Within());
        Assert.Equal((byte)'z', buffer[0]);
    }

    [Fact]
    public async Task Read_Cancelled_ThrowsAndStreamStaysUsable()
    {
        await using var pair = await SessionPair.CreateAsync();
        var (c, s) = await pair.OpenAsync(pair.Client);
        using var cts = new CancellationTokenSource(50);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => s.ReadAsync(new byte[1], cts.Token).Within());

        await c.WriteAsync("k"u8.ToArray()).Within();
        Assert.Equal(1, await s.ReadAsync(new byte[1]).Within());
    }

    [Fact]
    public async Task Write_CancelledWhileWaitingForWindow_ThrowsAndKeepsWindow()
    {
        await using var pair = await SessionPair.CreateAsync();
        var (c, s) = await pair.OpenAsync(pair.Client);
        await c.WriteAsync(new byte[YamuxOptions.InitialStreamWindowSize]).Within();
        using var cts = new CancellationTokenSource(50);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => c.WriteAsync(new byte[10], cts.Token).Within());

        var drained = StreamIo.ReadToEndAsync(s);
        await c.WriteAsync(new byte[10]).Within();
        c.CloseWrite();
        Assert.Equal((int)YamuxOptions.InitialStreamWindowSize + 10, (await drained.Within()).Length);
    }

    [Fact]
    public async Task SyncReadWrite_Work()
    {
        await using var pair = await SessionPair.CreateAsync();
        var (c, s) = await pair.OpenAsync(pair.Client);

        await Task.Run(() => c.Write([1, 2, 3], 0, 3)).Within();
        var buffer = new byte[3];
        await Task.Run(() => s.ReadExactly(buffer)).Within();

        Assert.Equal([1, 2, 3], buffer);
    }
}
