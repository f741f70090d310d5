using System.Buffers.Binary;

namespace Lode.Hooks.Calls;

/// <summary>
/// Cuts the bytes of a response's DATA frames into gRPC messages: each is a compressed flag, a 4-octet big-endian
/// length and the message, and may span frames or share one with others.
/// </summary>
internal sealed class GrpcMessageAssembler(int maxMessageBytes)
{
    public const int PrefixLength = 5;

    private readonly byte[] prefix = new byte[PrefixLength];
    private int prefixFilled;
    private byte[]? message;
    private int messageFilled;

    /// <summary>True between a message's first byte and its last: the stream must not end there.</summary>
    public bool InsideMessage => prefixFilled > 0 || message is not null;

    /// <summary>Takes in the next bytes and returns the messages they complete.</summary>
    public List<byte[]> Add(ReadOnlySpan<byte> data)
    {
        var complete = new List<byte[]>();
        while (true)
        {
            if (message is null)
            {
                if (data.IsEmpty)
                {
                    return complete;
                }

                var take = Math.Min(PrefixLength - prefixFilled, data.Length);
                data[..take].CopyTo(prefix.AsSpan(prefixFilled));
                prefixFilled += take;
                data = data[take..];
                if (prefixFilled < PrefixLength)
                {
                    return complete;
                }

                if (prefix[0] != 0)
                {
                    throw new InvalidDataException("the server sent a compressed message, which this client did not ask for");
                }

                var length = BinaryPrimitives.ReadUInt32BigEndian(prefix.AsSpan(1));
                if (length > (uint)maxMessageBytes)
                {
                    throw new InvalidDataException($"the server sent a message of {length} bytes, more than {maxMessageBytes}");
                }

                message = new byte[length];
                messageFilled = 0;
                prefixFilled = 0;
            }

            var copy = Math.Min(message.Length - messageFilled, data.Length);
            data[..copy].CopyTo(message.AsSpan(messageFilled));
            messageFilled += copy;
            data = data[copy..];
            if (messageFilled < message.Length)
            {
                return complete;
            }

            complete.Add(message);
            message = null;
        }
    }
}
