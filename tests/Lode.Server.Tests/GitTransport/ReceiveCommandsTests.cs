using System.Text;
using Lode.Server.GitTransport;

namespace Lode.Server.Tests.GitTransport;

public sealed class ReceiveCommandsTests
{
    private const string A = "1111111111111111111111111111111111111111";
    private const string B = "2222222222222222222222222222222222222222";
    private const string Zero = "0000000000000000000000000000000000000000";

    [Fact]
    public async Task ReadAsync_CommandsAndPushOptions_ParsedAndEveryByteKeptForGit()
    {
        var request = Pkt($"{A} {B} refs/heads/main\0report-status side-band-64k push-options agent=git/2.39\n") +
            Pkt($"{Zero} {B} refs/heads/new\n") + "0000" + Pkt("ci.skip\n") + Pkt("title=a b\n") + "0000" + "PACK-DATA-FOLLOWS";
        var input = new MemoryStream(Encoding.UTF8.GetBytes(request));

        var (consumed, commands) = await ReceiveCommands.ReadAsync(new OneByteStream(input), CancellationToken.None);

        Assert.NotNull(commands);
        Assert.Equal([(A, B, "refs/heads/main"), (Zero, B, "refs/heads/new")], commands.Updates);
        Assert.Equal(["ci.skip", "title=a b"], commands.PushOptions);
        Assert.Contains("side-band-64k", commands.Capabilities);
        Assert.Contains("report-status", commands.Capabilities);
        Assert.Equal(request, Encoding.UTF8.GetString(consumed) + Encoding.UTF8.GetString(input.ToArray()[(int)input.Position..]));
    }

    [Theory]
    [InlineData("shallow " + A + "\n", true)]
    [InlineData("push-cert\0report-status\n", false)]
    [InlineData("not a command\n", false)]
    public void TryParse_FirstLine(string line, bool usable)
    {
        var data = Pkt(line) + Pkt($"{A} {B} refs/heads/main\0report-status\n") + "0000";

        var (complete, commands) = ReceiveCommands.TryParse(Encoding.UTF8.GetBytes(data));

        Assert.True(complete);
        Assert.Equal(usable, commands is not null);
    }

    [Fact]
    public void TryParse_CutShort_Incomplete()
    {
        var data = Pkt($"{A} {B} refs/heads/main\0report-status push-options\n") + "0000" + Pkt("option\n");

        for (var length = 0; length < data.Length; length++)
        {
            Assert.False(ReceiveCommands.TryParse(Encoding.UTF8.GetBytes(data[..length])).Complete);
        }
    }

    private static string Pkt(string payload) => (Encoding.UTF8.GetByteCount(payload) + 4).ToString("x4", System.Globalization.CultureInfo.InvariantCulture) + payload;

    /// <summary>A request body that arrives one byte per read.</summary>
    private sealed class OneByteStream(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 1));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer[..Math.Min(buffer.Length, 1)], cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
