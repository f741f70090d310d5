using System.Text;
using Lode.Server.GitTransport;

namespace Lode.Server.Tests.GitTransport;

public sealed class ReportStatusTapTests
{
    [Fact]
    public async Task WriteAsync_AnySplit_EverythingButTheFinalFlushPassesAndTheReportIsRead()
    {
        // What receive-pack writes with side-band-64k: a progress message, the report inside band 1, the final flush.
        var report = Pkt("unpack ok\n") + Pkt("ok refs/heads/main\n") + Pkt("ng refs/heads/x pre-receive hook declined\n") +
            Pkt("ok refs/tags/v1\n") + "0000";
        var stream = Pkt("\u0002hook says hi\n") + Pkt("\u0001" + report) + "0000";
        var bytes = Encoding.ASCII.GetBytes(stream);

        for (var split = 0; split <= bytes.Length; split++)
        {
            var passed = new MemoryStream();
            var passedAtFlush = new List<long>();
            var tap = new ReportStatusTap((data, _) =>
            {
                passed.Write(data.Span);
                return ValueTask.CompletedTask;
            }, _ => passedAtFlush.Add(passed.Length));

            await tap.WriteAsync(bytes.AsMemory(0, split), CancellationToken.None);
            await tap.WriteAsync(bytes.AsMemory(split), CancellationToken.None);

            Assert.True(tap.Framed);
            Assert.True(tap.HeldFlush);
            Assert.Equal(stream[..^4], Encoding.ASCII.GetString(passed.ToArray()));
            Assert.Equal("0000", Encoding.ASCII.GetString(tap.Held.Span));
            Assert.Equal(["refs/heads/main", "refs/tags/v1"], tap.UpdatedRefs().Order(StringComparer.Ordinal));
            Assert.Equal([bytes.Length - 4L], passedAtFlush);
        }
    }

    [Fact]
    public async Task WriteAsync_NotPktLines_PassedThroughUnchanged()
    {
        var passed = new MemoryStream();
        var tap = new ReportStatusTap((data, _) =>
        {
            passed.Write(data.Span);
            return ValueTask.CompletedTask;
        });

        await tap.WriteAsync("fatal: not a pkt-line 0000"u8.ToArray(), CancellationToken.None);

        Assert.False(tap.Framed);
        Assert.Equal("fatal: not a pkt-line 0000", Encoding.ASCII.GetString(passed.ToArray()) + Encoding.ASCII.GetString(tap.Held.Span));
    }

    private static string Pkt(string payload) => (payload.Length + 4).ToString("x4", System.Globalization.CultureInfo.InvariantCulture) + payload;

    [Fact]
    public async Task WriteAsync_BytesAfterTheFlush_PassedInOrder()
    {
        var passed = new MemoryStream();
        var tap = new ReportStatusTap((data, _) =>
        {
            passed.Write(data.Span);
            return ValueTask.CompletedTask;
        });

        await tap.WriteAsync("0009\u0001abcd0000"u8.ToArray(), CancellationToken.None);
        await tap.WriteAsync("trailing"u8.ToArray(), CancellationToken.None);

        Assert.False(tap.Framed);
        Assert.Equal("0009\u0001abcd0000trailing", Encoding.ASCII.GetString(passed.ToArray()) + Encoding.ASCII.GetString(tap.Held.Span));
    }
}
