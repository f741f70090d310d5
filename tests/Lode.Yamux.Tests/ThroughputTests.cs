using System.Diagnostics;
using Xunit.Abstractions;

namespace Lode.Yamux.Tests;

/// <summary>
/// One stream's bulk throughput over TCP loopback, next to a bare socket for scale. Reports MB/s in the test output;
/// asserts only correctness. LODE_YAMUX_THROUGHPUT_MIB sets the size (default 64; the report used 256).
/// </summary>
public sealed class ThroughputTests(ITestOutputHelper output)
{
    private static readonly long Bytes =
        (long.TryParse(Environment.GetEnvironmentVariable("LODE_YAMUX_THROUGHPUT_MIB"), out var mib) ? mib : 64) * 1024 * 1024;

    [Theory]
    [InlineData(256 * 1024)]
    [InlineData(16 * 1024 * 1024)]
    public async Task Throughput_OneStreamOverLoopback_Reported(int maxWindow)
    {
        var options = TestOptions.Default with { MaxStreamWindowSize = (uint)maxWindow };
        await using var pair = await SessionPair.CreateAsync(TransportKind.Tcp, options, options);
        var (c, s) = await pair.OpenAsync(pair.Client);

        // Off xunit's synchronization context, as on a server.
        var elapsed = await Task.Run(() => TransferAsync(c, s, c.CloseWrite));

        output.WriteLine($"yamux, {maxWindow / 1024} KiB max window: {Bytes >> 20} MiB in {elapsed.TotalMilliseconds:F0} ms = {Bytes / elapsed.TotalSeconds / 1e6:F0} MB/s");
        Assert.InRange(s.PeakUnconsumedBytes, 0, maxWindow);
    }

    [Fact]
    public async Task Throughput_BareSocket_Reported()
    {
        var (a, b) = await TransportPair.TcpAsync();
        await using (a)
        await using (b)
        {
            var elapsed = await TransferAsync(a, b, () => ((System.Net.Sockets.NetworkStream)a).Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send));
            output.WriteLine($"bare socket: {Bytes >> 20} MiB in {elapsed.TotalMilliseconds:F0} ms = {Bytes / elapsed.TotalSeconds / 1e6:F0} MB/s");
        }
    }

    private static async Task<TimeSpan> TransferAsync(Stream writer, Stream reader, Action closeWrite)
    {
        // 80 KiB is Stream.CopyToAsync's buffer: what a pack copied from git's stdout is written in.
        var chunk = new byte[81920];
        new Random(1).NextBytes(chunk);
        var started = Stopwatch.GetTimestamp();
        var reading = Task.Run(async () =>
        {
            var buffer = new byte[81920];
            long total = 0;
            int n;
            while ((n = await reader.ReadAsync(buffer)) > 0)
            {
                total += n;
            }

            return total;
        });

        for (long sent = 0; sent < Bytes; sent += chunk.Length)
        {
            await writer.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, Bytes - sent)));
        }

        closeWrite();
        Assert.Equal(Bytes, await reading.Within(TimeSpan.FromSeconds(60)));
        return Stopwatch.GetElapsedTime(started);
    }
}
