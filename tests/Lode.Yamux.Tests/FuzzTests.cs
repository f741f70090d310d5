namespace Lode.Yamux.Tests;

/// <summary>
/// Fixed-seed randomized tests: frames split at random points, random interleavings of stream operations, garbage
/// input, transports cut at random moments. A failure names its seed, so it can be replayed alone.
/// </summary>
public sealed class FuzzTests
{
    public static TheoryData<int> Seeds() => [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task RandomOperations_ChunkedTransport_EveryByteArrivesInOrder(int seed)
    {
        var random = new Random(seed);

        // Reads cut to at most 3, 17, 97 or 4096 bytes: headers split everywhere, and payloads in many pieces.
        int[] chunkSizes = [3, 17, 97, 4096];
        var (a, b) = TransportPair.Memory(seed, chunkSizes[seed % chunkSizes.Length]);
        await using var pair = SessionPair.Create(a, b);
        var ends = new List<End>();

        for (var op = 0; op < 200; op++)
        {
            var live = ends.FindAll(e => !e.Pair.IsReset);
            var roll = random.Next(100);
            if (roll < 15 || live.Count == 0)
            {
                var opener = random.Next(2) == 0 ? pair.Client : pair.Server;
                var (opened, accepted) = await pair.OpenAsync(opener);
                var link = new Link();
                ends.Add(new End(opened, link));
                ends.Add(new End(accepted, link));
                ends[^1].Peer = ends[^2];
                ends[^2].Peer = ends[^1];
            }
            else if (roll < 75)
            {
                var end = live[random.Next(live.Count)];
                if (!end.WriteClosed)
                {
                    var data = new byte[random.Next(0, 20_000)];
                    random.NextBytes(data);
                    await end.Stream.WriteAsync(data).Within();
                    end.Sent.Write(data);
                }
            }
            else if (roll < 88)
            {
                var end = live[random.Next(live.Count)];
                end.Stream.CloseWrite();
                end.WriteClosed = true;
            }
            else if (roll < 93)
            {
                var end = live[random.Next(live.Count)];
                end.Pair.IsReset = true;
                end.Stream.Reset();
            }
            else
            {
                await (random.Next(2) == 0 ? pair.Client : pair.Server).PingAsync(CancellationToken.None).Within();
            }
        }

        foreach (var end in ends)
        {
            if (!end.Pair.IsReset)
            {
                end.Stream.CloseWrite();
            }
        }

        foreach (var end in ends)
        {
            var (received, error) = await end.Reading.Within();
            var expected = end.Peer!.Sent.ToArray();
            if (end.Pair.IsReset)
            {
                Assert.True(received.Length <= expected.Length, $"seed {seed}: more received than sent");
                Assert.Equal(expected.AsSpan(0, received.Length).ToArray(), received);
                Assert.True(error is null or YamuxException { Error: YamuxError.StreamReset }, $"seed {seed}: {error}");
            }
            else
            {
                Assert.Null(error);
                Assert.Equal(expected, received);
            }
        }

        Assert.False(pair.Client.IsClosed, $"seed {seed}: client closed: {pair.Client.CloseError}");
        Assert.False(pair.Server.IsClosed, $"seed {seed}: server closed: {pair.Server.CloseError}");
        await TaskTimeouts.EventuallyAsync(() => pair.Client.StreamCount == 0 && pair.Server.StreamCount == 0);
    }

    [Fact]
    public async Task RandomGarbage_SessionClosesWithoutEscapingExceptions()
    {
        var runs = new List<Task>();
        for (var seed = 0; seed < 300; seed++)
        {
            runs.Add(GarbageRunAsync(seed));
        }

        await Task.WhenAll(runs).Within(TimeSpan.FromSeconds(30));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task TransportCutAtRandomMoment_AllOperationsEndPromptly(int seed)
    {
        var random = new Random(seed);
        var pair = await SessionPair.CreateAsync(seed % 2 == 0 ? TransportKind.Tcp : TransportKind.ChunkedMemory, seed: seed);
        var work = new List<Task>();
        var serving = Task.Run(async () =>
        {
            while (await pair.Server.AcceptStreamAsync(CancellationToken.None) is { } stream)
            {
                work.Add(Task.Run(async () =>
                {
                    await stream.CopyToAsync(stream);
                    stream.CloseWrite();
                }));
            }
        });
        for (var i = 0; i < 20; i++)
        {
            var n = i;
            work.Add(Task.Run(async () =>
            {
                var stream = await pair.Client.OpenStreamAsync(CancellationToken.None);
                var reading = StreamIo.ReadToEndAsync(stream);
                await StreamIo.WriteRandomAsync(stream, n, 10_000_000, 50_000);
                stream.CloseWrite();
                await reading;
            }));
        }

        await Task.Delay(random.Next(0, 60));
        (random.Next(2) == 0 ? pair.ClientTransport : pair.ServerTransport).Dispose();

        var deadline = TimeSpan.FromSeconds(5);
        foreach (var task in work.ToArray())
        {
            var error = await Record.ExceptionAsync(() => task.Within(deadline));
            Assert.True(error is null or IOException, $"seed {seed}: {error}");
        }

        await pair.Client.Closed.Within(deadline);
        await pair.Server.Closed.Within(deadline);
        await serving.Within(deadline);
    }

    private static async Task GarbageRunAsync(int seed)
    {
        var random = new Random(seed);
        var (a, b) = TransportPair.Memory(chunkSeed: seed, maxChunk: 1 + random.Next(64));
        var session = YamuxSession.Server(a, TestOptions.Default);
        var accepting = session.AcceptStreamAsync(CancellationToken.None);
        await using var peer = new RawPeer(b);
        var draining = peer.ReadUntilEndAsync();

        // Half of the runs first open a stream properly, so garbage also lands mid-session.
        var prefix = random.Next(2) == 0
            ? ProtocolErrorTests.Frame(FrameHeader.Data(1, FrameFlags.Syn, 3), [1, 2, 3])
            : [];
        var garbage = new byte[random.Next(1, 2000)];
        random.NextBytes(garbage);
        try
        {
            await peer.SendBytesAsync([.. prefix, .. garbage]);
        }
        catch (IOException)
        {
            // The session may close its end before all the garbage is written.
        }

        peer.CloseTransport();
        await session.Closed.Within(TimeSpan.FromSeconds(10));
        await Record.ExceptionAsync(() => draining);

        var error = session.CloseError;
        Assert.NotNull(error);
        Assert.NotEqual(YamuxError.InternalError, error.Error);
        if (garbage[0] != 0)
        {
            Assert.Equal(YamuxError.ProtocolError, error.Error);
        }

        var accepted = await accepting.Within();
        if (accepted is not null)
        {
            // Garbage may have happened to FIN the stream; either way reading must end, not hang.
            await Record.ExceptionAsync(() => StreamIo.ReadToEndAsync(accepted).Within());
        }
    }

    private sealed class Link
    {
        public bool IsReset { get; set; }
    }

    private sealed class End
    {
        public End(YamuxStream stream, Link pair)
        {
            Stream = stream;
            Pair = pair;
            Reading = ReadAllAsync(stream);
        }

        public YamuxStream Stream { get; }

        public Link Pair { get; }

        public End? Peer { get; set; }

        public MemoryStream Sent { get; } = new();

        public bool WriteClosed { get; set; }

        public Task<(byte[] Received, Exception? Error)> Reading { get; }

        private static async Task<(byte[], Exception?)> ReadAllAsync(YamuxStream stream)
        {
            var all = new MemoryStream();
            var buffer = new byte[5000];
            try
            {
                int n;
                while ((n = await stream.ReadAsync(buffer)) > 0)
                {
                    all.Write(buffer, 0, n);
                }

                return (all.ToArray(), null);
            }
            catch (Exception e)
            {
                return (all.ToArray(), e);
            }
        }
    }
}
