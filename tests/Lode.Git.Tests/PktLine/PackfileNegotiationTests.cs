using System.Text;
using Lode.Git.PktLine;

namespace Lode.Git.Tests.PktLine;

public sealed class PackfileNegotiationTests
{
    private static byte[] Pkt(string line) => Encoding.ASCII.GetBytes((line.Length + 4).ToString("x4", System.Globalization.CultureInfo.InvariantCulture) + line);

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1 << 16)]
    public void Feed_V0Request_CountsWhatTheClientAsked(int chunk)
    {
        var oid = new string('a', 40);
        byte[] request =
        [
            .. Pkt($"want {oid} multi_ack side-band-64k agent=git/2.39\n"), .. Pkt($"want {new string('b', 40)}\n"),
            .. Pkt($"shallow {new string('c', 40)}\n"), .. Pkt("deepen 3\n"), .. Pkt("filter blob:none\n"), .. "0000"u8.ToArray(),
            .. Pkt($"have {new string('d', 40)}\n"), .. Pkt("done\n"), .. Pkt("ignored after done\n"),
        ];
        using var stats = new PackfileNegotiation();

        for (var i = 0; i < request.Length; i += chunk)
        {
            stats.Feed(request.AsSpan(i, Math.Min(chunk, request.Length - i)));
        }

        stats.Complete();
        Assert.True(stats.Succeeded, stats.Error);
        Assert.Equal(2, stats.Wants);
        Assert.Equal(1, stats.Haves);
        Assert.Equal(1, stats.Shallows);
        Assert.Equal("deepen 3", stats.Deepen);
        Assert.Equal("blob:none", stats.Filter);
        Assert.Equal(["multi_ack", "side-band-64k", "agent=git/2.39"], stats.Caps);
        Assert.Equal("git/2.39", stats.UserAgent);
        Assert.Equal(7, stats.Packets);
    }

    [Fact]
    public void Feed_V2Fetch_RecordsCommandAndAgent()
    {
        using var stats = new PackfileNegotiation();

        stats.Feed([.. Pkt("command=fetch\n"), .. Pkt("agent=git/2.45\n"), .. "0001"u8.ToArray(), .. Pkt($"want {new string('a', 40)}\n"), .. Pkt("done\n"), .. "0000"u8.ToArray()]);

        Assert.Equal("fetch", stats.Command);
        Assert.Equal("git/2.45", stats.UserAgent);
        Assert.Equal(1, stats.Wants);
        Assert.Equal(4, stats.Packets);
    }

    [Fact]
    public void Feed_MalformedWant_Fails()
    {
        using var stats = new PackfileNegotiation();

        stats.Feed(Pkt("want\n"));

        Assert.False(stats.Succeeded);
        Assert.Equal("invalid 'want' for packet 0: want", stats.Error);
    }

    [Fact]
    public void Complete_TruncatedPacket_Fails()
    {
        using var stats = new PackfileNegotiation();
        stats.Feed("0032want"u8);

        stats.Complete();

        Assert.False(stats.Succeeded);
    }
}
