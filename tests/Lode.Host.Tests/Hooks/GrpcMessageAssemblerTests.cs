using System.Buffers.Binary;
using Lode.Hooks.Calls;

namespace Lode.Host.Tests.Hooks;

/// <summary>gRPC length-prefixed messages cut out of DATA frames however the frames split them.</summary>
public sealed class GrpcMessageAssemblerTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(4096)]
    public void MessagesSplitAnywhere_ComeOutWhole(int seed)
    {
        var random = new Random(seed);
        var messages = Enumerable.Range(0, 20).Select(i => Enumerable.Range(0, random.Next(0, 3000)).Select(_ => (byte)random.Next()).ToArray()).ToList();
        var stream = messages.SelectMany(Framed).ToArray();
        var assembler = new GrpcMessageAssembler(maxMessageBytes: 1 << 20);
        var received = new List<byte[]>();

        for (var offset = 0; offset < stream.Length;)
        {
            var length = Math.Min(random.Next(1, 5000), stream.Length - offset);
            received.AddRange(assembler.Add(stream.AsSpan(offset, length)));
            offset += length;
        }

        Assert.Equal(messages, received);
        Assert.False(assembler.InsideMessage);
    }

    [Fact]
    public void CompressedMessage_Refused()
    {
        var frame = Framed([1, 2, 3]);
        frame[0] = 1;

        Assert.Throws<InvalidDataException>(() => new GrpcMessageAssembler(1 << 20).Add(frame));
    }

    [Fact]
    public void MessageAboveTheLimit_RefusedBeforeItsBytesArrive()
    {
        Assert.Throws<InvalidDataException>(() => new GrpcMessageAssembler(1000).Add(Framed(new byte[1001]).AsSpan(0, 5)));
    }

    [Fact]
    public void PartialMessage_IsInside()
    {
        var assembler = new GrpcMessageAssembler(1 << 20);

        Assert.Empty(assembler.Add(Framed([1, 2, 3]).AsSpan(0, 6)));
        Assert.True(assembler.InsideMessage);
    }

    private static byte[] Framed(byte[] message)
    {
        var framed = new byte[5 + message.Length];
        BinaryPrimitives.WriteInt32BigEndian(framed.AsSpan(1), message.Length);
        message.CopyTo(framed, 5);
        return framed;
    }
}
