using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit.Abstractions;

namespace Lode.Yamux.Tests;

/// <summary>
/// Wire interop with the real hashicorp/yamux (Debian's golang-github-hashicorp-yamux-dev), driven through
/// interop/yamuxpeer.go, in all four combinations of session side and stream opener.
/// <para>
/// Honest caveat: xunit 2 cannot skip at run time without an extra package, so where Go or the library is missing
/// these tests return early and PASS, writing "interop not checked: ..." to their output. A green run on such a
/// machine says nothing about interop; CI machines must install both packages for these tests to mean anything.
/// </para>
/// </summary>
public sealed class InteropTests(GoPeerFixture go, ITestOutputHelper output) : IClassFixture<GoPeerFixture>
{
    private const int Streams = 32;
    private const int Size = 1024 * 1024;

    [Fact]
    public async Task GoClientOpensStreams_CSharpServerEchoes()
    {
        if (NotAvailable())
        {
            return;
        }

        using var listener = Listen();
        await using var peer = GoPeer.Start(go.Binary!, output, "dial", listener.LocalEndPoint!.ToString()!, "open", Streams.ToString(), Size.ToString());
        using var socket = await listener.AcceptAsync().Within();
        await using var session = YamuxSession.Server(new NetworkStream(socket, ownsSocket: true), YamuxOptions.GitalyServer with { AcceptBacklog = 256 });
        var serving = ServeEchoAsync(session);

        Assert.Equal(0, await peer.WaitForExitAsync());
        Assert.Contains("ok", peer.Output);
        await session.Closed.Within();
        await serving.Within();
    }

    [Fact]
    public async Task CSharpServerOpensStreams_GoClientEchoes()
    {
        if (NotAvailable())
        {
            return;
        }

        // The sidechannel direction: Gitaly's server end (backlog 1, 16 MiB windows) opens, the client accepts.
        using var listener = Listen();
        await using var peer = GoPeer.Start(go.Binary!, output, "dial", listener.LocalEndPoint!.ToString()!, "echo");
        using var socket = await listener.AcceptAsync().Within();
        var session = YamuxSession.Server(new NetworkStream(socket, ownsSocket: true), YamuxOptions.GitalyServer);

        await OpenAndCheckEchoesAsync(session);
        output.WriteLine($"ping to Go: {await session.PingAsync(CancellationToken.None).Within()}");
        await session.CloseAsync().Within();

        Assert.Equal(0, await peer.WaitForExitAsync());
    }

    [Fact]
    public async Task CSharpClientOpensStreams_GoServerEchoes()
    {
        if (NotAvailable())
        {
            return;
        }

        await using var peer = GoPeer.Start(go.Binary!, output, "listen", "echo");
        var session = YamuxSession.Client(await ConnectAsync(peer), YamuxOptions.GitalyClient);

        await OpenAndCheckEchoesAsync(session);
        output.WriteLine($"ping to Go: {await session.PingAsync(CancellationToken.None).Within()}");
        await session.CloseAsync().Within();

        Assert.Equal(0, await peer.WaitForExitAsync());
    }

    [Fact]
    public async Task GoServerOpensStreams_CSharpClientEchoes()
    {
        if (NotAvailable())
        {
            return;
        }

        await using var peer = GoPeer.Start(go.Binary!, output, "listen", "open", Streams.ToString(), Size.ToString());
        await using var session = YamuxSession.Client(await ConnectAsync(peer), YamuxOptions.GitalyClient);
        var serving = ServeEchoAsync(session);

        Assert.Equal(0, await peer.WaitForExitAsync());
        Assert.Contains("ok", peer.Output);
        await session.Closed.Within();
        await serving.Within();
    }

    [Fact]
    public async Task CSharpServerSendsBulk_GoClientReceives_ThroughputReported()
    {
        if (NotAvailable())
        {
            return;
        }

        // A clone: Gitaly's server end writes a pack into a sidechannel; the Go client reads it with its default
        // 256 KiB window, so the window updates come from hashicorp's receive logic.
        using var listener = Listen();
        await using var peer = GoPeer.Start(go.Binary!, output, "dial", listener.LocalEndPoint!.ToString()!, "sink");
        using var socket = await listener.AcceptAsync().Within();
        socket.NoDelay = true;
        var session = YamuxSession.Server(new NetworkStream(socket, ownsSocket: true), YamuxOptions.GitalyServer);
        const long length = 128L * 1024 * 1024;

        await using (var stream = await session.OpenStreamAsync(CancellationToken.None).Within())
        {
            var chunk = new byte[81920];
            new Random(3).NextBytes(chunk);
            var started = Stopwatch.GetTimestamp();
            for (long sent = 0; sent < length; sent += chunk.Length)
            {
                await stream.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, length - sent))).Within();
            }

            stream.CloseWrite();
            var count = new byte[8];
            await stream.ReadExactlyAsync(count).AsTask().Within();
            var elapsed = Stopwatch.GetElapsedTime(started);

            Assert.Equal((ulong)length, BinaryPrimitives.ReadUInt64BigEndian(count));
            output.WriteLine($"C# -> hashicorp/yamux, one stream: {length >> 20} MiB in {elapsed.TotalMilliseconds:F0} ms = {length / elapsed.TotalSeconds / 1e6:F0} MB/s");
        }

        await session.CloseAsync().Within();
        Assert.Equal(0, await peer.WaitForExitAsync());
    }

    /// <summary>The same bytes yamuxpeer.go's pattern() makes (xorshift32).</summary>
    private static byte[] Pattern(int stream, int size)
    {
        var data = new byte[size];
        var x = unchecked((uint)((stream * 2654435761L) + 1));
        for (var i = 0; i < size; i++)
        {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            data[i] = (byte)x;
        }

        return data;
    }

    private static async Task OpenAndCheckEchoesAsync(YamuxSession session)
    {
        var exchanges = new List<Task>();
        for (var i = 0; i < Streams; i++)
        {
            var n = i;
            exchanges.Add(Task.Run(async () =>
            {
                await using var stream = await session.OpenStreamAsync(CancellationToken.None);
                var data = Pattern(n, Size);
                var reading = StreamIo.ReadToEndAsync(stream);
                var header = new byte[8];
                BinaryPrimitives.WriteUInt64BigEndian(header, (ulong)Size);
                await stream.WriteAsync(header);
                await stream.WriteAsync(data);
                Assert.Equal(data, await reading);
            }));
        }

        await Task.WhenAll(exchanges).Within(TimeSpan.FromSeconds(30));
    }

    /// <summary>Accepts until the session ends; each stream: 8-byte length, echo that many bytes, close.</summary>
    private static async Task ServeEchoAsync(YamuxSession session)
    {
        var echoes = new List<Task>();
        while (await session.AcceptStreamAsync(CancellationToken.None) is { } stream)
        {
            echoes.Add(Task.Run(async () =>
            {
                await using (stream)
                {
                    var header = new byte[8];
                    await stream.ReadExactlyAsync(header);
                    var left = (long)BinaryPrimitives.ReadUInt64BigEndian(header);
                    var buffer = new byte[64 * 1024];
                    while (left > 0)
                    {
                        var n = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)));
                        Assert.True(n > 0, "end of stream before the announced length");
                        await stream.WriteAsync(buffer.AsMemory(0, n));
                        left -= n;
                    }
                }
            }));
        }

        await Task.WhenAll(echoes);
    }

    private static Socket Listen()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        return listener;
    }

    private static async Task<Stream> ConnectAsync(GoPeer peer)
    {
        var line = await peer.ReadLineAsync().Within();
        Assert.StartsWith("listening ", line);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPEndPoint.Parse(line!["listening ".Length..])).Within();
        return new NetworkStream(socket, ownsSocket: true);
    }

    private bool NotAvailable()
    {
        if (go.Binary is not null)
        {
            return false;
        }

        output.WriteLine("interop not checked: " + go.Missing);
        return true;
    }

    /// <summary>A running yamuxpeer; disposing kills it if it is still running.</summary>
    private sealed class GoPeer : IAsyncDisposable
    {
        private readonly Process process;
        private readonly ITestOutputHelper output;
        private readonly StringBuilder stdout = new();
        private readonly Task<string> stderr;

        private GoPeer(Process process, ITestOutputHelper output)
        {
            this.process = process;
            this.output = output;
            stderr = process.StandardError.ReadToEndAsync();
        }

        public string Output
        {
            get
            {
                lock (stdout)
                {
                    return stdout.ToString();
                }
            }
        }

        public static GoPeer Start(string binary, ITestOutputHelper output, params string[] args)
        {
            var start = new ProcessStartInfo(binary)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            return new GoPeer(Process.Start(start)!, output);
        }

        public async Task<string?> ReadLineAsync()
        {
            var line = await process.StandardOutput.ReadLineAsync();
            lock (stdout)
            {
                stdout.AppendLine(line);
            }

            return line;
        }

        public async Task<int> WaitForExitAsync()
        {
            var rest = await process.StandardOutput.ReadToEndAsync().Within(TimeSpan.FromSeconds(60));
            lock (stdout)
            {
                stdout.Append(rest);
            }

            await process.WaitForExitAsync().Within(TimeSpan.FromSeconds(60));
            var errors = await stderr;
            if (errors.Length > 0)
            {
                output.WriteLine("yamuxpeer stderr: " + errors);
            }

            return process.ExitCode;
        }

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }
    }
}
