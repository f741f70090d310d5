using System.Diagnostics;
using Xunit.Abstractions;

namespace Lode.Yamux.Tests;

public sealed class FlowControlTests(ITestOutputHelper output)
{
    private const int Window = (int)YamuxOptions.InitialStreamWindowSize;

    [Theory]
    [InlineData(256 * 1024)]
    [InlineData(16 * 1024 * 1024)]
    public async Task LargeTransfer_64MiBThroughOneStream_HashMatches(int maxWindow)
    {
        var options = TestOptions.Default with { MaxStreamWindowSize = (uint)maxWindow };
        await using var pair = await SessionPair.CreateAsync(TransportKind.Tcp, options, options);
        var (c, s) = await pair.OpenAsync(pair.Client);
        const long length = 64L * 1024 * 1024;

        var started = Stopwatch.GetTimestamp();
        var receiving = StreamIo.HashToEndAsync(s, 128 * 1024);
        var sent = await StreamIo.WriteRandomAsync(c, 42, length, maxWrite: 256 * 1024).Within(TimeSpan.FromSeconds(40));
        c.CloseWrite();
        var (received, hash) = await receiving.Within(TimeSpan.FromSeconds(40));
        var elapsed = Stopwatch.GetElapsedTime(started);

        Assert.Equal(length, received);
        Assert.Equal(sent, hash);
        Assert.InRange(s.PeakUnconsumedBytes, 0, maxWindow);
        output.WriteLine($"64 MiB with {maxWindow / 1024} KiB max window: {elapsed.TotalMilliseconds:F0} ms (includes generating and hashing)");
    }

    [Fact]
    public async Task SlowReader_NeverBuffersMoreThanTheWindow()
    {
        await using var pair = await SessionPair.CreateAsync(TransportKind.Tcp);
        var (c, s) = await pair.OpenAsync(pair.Client);
        const int length = 6 * 1024 * 1024;

        var writing = StreamIo.WriteRandomAsync(c, 5, length, maxWrite: 1024 * 1024);
        var buffer = new byte[3000];
        long total = 0;
        var reads = 0;
        while (total < length)
        {
            var n = await s.ReadAsync(buffer).Within();
            Assert.True(n > 0);
            total += n;
            if (++reads % 64 == 0)
            {
                // Let the writer fill whatever window it has.
                await Task.Delay(2);
                Assert.InRange(s.UnconsumedBytes, 0, Window);
            }
        }

        await writing.Within();
        Assert.InRange(s.PeakUnconsumedBytes, Window / 2, Window);
    }

    [Fact]
    public async Task WindowExhausted_WriterBlocksUntilReaderReads()
    {
        await using var pair = await SessionPair.CreateAsync(TransportKind.Tcp);
        var (c, s) = await pair.OpenAsync(pair.Client);
        var data = StreamIo.RandomBytes(9, 1024 * 1024);

        var writing = c.WriteAsync(data).AsTask();
        await TaskTimeouts.EventuallyAsync(() => s.UnconsumedBytes == Window);
        await Task.Delay(200);

        Assert.False(writing.IsCompleted);
        Assert.Equal(0, c.SendWindow);
        Assert.Equal(Window, s.UnconsumedBytes);

        // Less than half a window read: hashicorp's rule sends no update yet, so the writer stays blocked.
        var received = new byte[data.Length];
        await s.ReadExactlyAsync(received.AsMemory(0, 100_000)).AsTask().Within();
        await Task.Delay(100);
        Assert.False(writing.IsCompleted);

        await s.ReadExactlyAsync(received.AsMemory(100_000)).AsTask().Within();
        await writing.Within();
        Assert.Equal(data, received);
    }

    [Fact]
    public async Task MaxWindow16MiB_AnnouncedInAck_PeerSendWindowGrows()
    {
        var server = TestOptions.Default with { MaxStreamWindowSize = 16 * 1024 * 1024 };
        await using var pair = await SessionPair.CreateAsync(TransportKind.Tcp, server: server);
        var (c, s) = await pair.OpenAsync(pair.Client);

        await TaskTimeouts.EventuallyAsync(() => c.SendWindow == 16 * 1024 * 1024);
        Assert.Equal(Window, s.SendWindow);

        // 4 MiB go out without the server reading anything.
        await c.WriteAsync(new byte[4 * 1024 * 1024]).Within();
        await TaskTimeouts.EventuallyAsync(() => s.UnconsumedBytes == 4 * 1024 * 1024);
    }

    [Fact]
    public async Task Write_RawPeerWindow_NeverExceededAndFramesAreBounded()
    {
        var (a, b) = TransportPair.Memory();
        await using var session = YamuxSession.Server(a, TestOptions.Default);
        await using var peer = new RawPeer(b);
        await peer.SendAsync(FrameHeader.WindowUpdate(1, FrameFlags.Syn, 0));
        var stream = (await session.AcceptStreamAsync(CancellationToken.None).Within())!;
        Assert.Equal(FrameHeader.WindowUpdate(1, FrameFlags.Ack, 0), (await peer.ReadFrameAsync())!.Value.Header);

        var writing = stream.WriteAsync(new byte[1024 * 1024]).AsTask();
        var received = 0;
        while (received < Window)
        {
            var frame = (await peer.ReadFrameAsync())!.Value;
            Assert.Equal(FrameType.Data, frame.Header.Type);
            Assert.InRange(frame.Header.Length, 1u, (uint)YamuxStream.MaxFramePayload);
            received += frame.Payload.Length;
        }

        Assert.Equal(Window, received);
        await Task.Delay(100);
        Assert.False(writing.IsCompleted);

        // 100 000 bytes of new window buy exactly 100 000 bytes, then a ping shows nothing else was queued.
        await peer.SendAsync(FrameHeader.WindowUpdate(1, FrameFlags.None, 100_000));
        var more = 0;
        while (more < 100_000)
        {
            more += (await peer.ReadFrameAsync())!.Value.Payload.Length;
        }

        Assert.Equal(100_000, more);
        await peer.SendAsync(FrameHeader.Ping(FrameFlags.Syn, 77));
        Assert.Equal(FrameHeader.Ping(FrameFlags.Ack, 77), (await peer.ReadFrameAsync())!.Value.Header);
        Assert.False(writing.IsCompleted);
    }

    [Fact]
    public async Task Read_HalfWindowConsumed_SendsOneUpdateForIt()
    {
        var (a, b) = TransportPair.Memory();
        await using var session = YamuxSession.Server(a, TestOptions.Default);
        await using var peer = new RawPeer(b);
        await peer.SendAsync(FrameHeader.WindowUpdate(1, FrameFlags.Syn, 0));
        var stream = (await session.AcceptStreamAsync(CancellationToken.None).Within())!;
        await peer.ExpectAsync(h => h.Flags == FrameFlags.Ack);

        await peer.SendAsync(FrameHeader.Data(1, FrameFlags.None, (uint)Window), new byte[Window]);
        await stream.ReadExactlyAsync(new byte[(Window / 2) - 1]).AsTask().Within();
        await stream.ReadExactlyAsync(new byte[1]).AsTask().Within();

        Assert.Equal(FrameHeader.WindowUpdate(1, FrameFlags.None, (uint)Window / 2), (await peer.ReadFrameAsync())!.Value.Header);
    }
}
