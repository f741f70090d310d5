using System.Buffers;
using System.Runtime.CompilerServices;
using Lode.Git.Objects;
using Lode.Git.Refs;

namespace Lode.Git.Advertisement;

/// <summary>
/// An advertisement ready to send, written as git 2.39+ writes it: <c>version 1</c> if the client asked for it, then
/// one packet per ref with the capabilities after a NUL on the first (or <c>capabilities^{}</c> against the zero id
/// when there is no ref), then a flush.
/// </summary>
public sealed class PreparedAdvertisement(List<RefEntry> refs, byte[] capabilities, ObjectFormat format, bool version1)
{
    /// <summary>
    /// The advertisement in chunks of about <paramref name="chunkSize"/> bytes (a packet more at most). Each chunk is
    /// valid until the next one is asked for: the buffer, rented for the walk, is reused.
    /// </summary>
    public IEnumerable<ReadOnlyMemory<byte>> Chunks(int chunkSize)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(Length(), chunkSize + PktLine.PktLine.MaxPacketLength));
        try
        {
            var used = 0;
            if (version1)
            {
                used += Write(buffer.AsSpan(used), "version 1\n"u8);
            }

            if (refs.Count == 0)
            {
                used += WriteRef(buffer.AsSpan(used), format.ZeroOid, "capabilities^{}"u8, capabilities);
            }

            for (var i = 0; i < refs.Count; i++)
            {
                if (used + PacketLength(refs[i], i == 0) > buffer.Length)
                {
                    yield return buffer.AsMemory(0, used);
                    used = 0;
                }

                used += WriteRef(buffer.AsSpan(used), refs[i].Oid, refs[i].Name, i == 0 ? capabilities : null);
                if (used >= chunkSize)
                {
                    yield return buffer.AsMemory(0, used);
                    used = 0;
                }
            }

            if (used + PktLine.PktLine.FlushPacket.Length > buffer.Length)
            {
                yield return buffer.AsMemory(0, used);
                used = 0;
            }

            PktLine.PktLine.FlushPacket.CopyTo(buffer.AsSpan(used));
            used += PktLine.PktLine.FlushPacket.Length;
            yield return buffer.AsMemory(0, used);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The whole advertisement's length in bytes.</summary>
    private int Length()
    {
        var length = (version1 ? 14 : 0) + PktLine.PktLine.FlushPacket.Length;
        if (refs.Count == 0)
        {
            length += PktLine.PktLine.HeaderLength + format.HexLength + " capabilities^{}\0\n".Length + capabilities.Length;
        }

        for (var i = 0; i < refs.Count; i++)
        {
            length += PacketLength(refs[i], i == 0);
        }

        return length;
    }

    private int PacketLength(RefEntry entry, bool withCapabilities) =>
        PktLine.PktLine.HeaderLength + format.HexLength + 1 + entry.Name.Length + (withCapabilities ? 1 + capabilities.Length : 0) + 1;

    /// <summary>One packet <c>oid SP name [NUL capabilities] LF</c> at the start of <paramref name="target"/>; returns its length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int WriteRef(Span<byte> target, string oid, ReadOnlySpan<byte> name, byte[]? capabilities)
    {
        var data = target[PktLine.PktLine.HeaderLength..];
        var at = System.Text.Encoding.ASCII.GetBytes(oid, data);
        data[at++] = (byte)' ';
        name.CopyTo(data[at..]);
        at += name.Length;
        if (capabilities is not null)
        {
            data[at++] = 0;
            capabilities.CopyTo(data[at..]);
            at += capabilities.Length;
        }

        data[at++] = (byte)'\n';
        return WriteHeader(target, at);
    }

    private static int Write(Span<byte> target, ReadOnlySpan<byte> payload)
    {
        payload.CopyTo(target[PktLine.PktLine.HeaderLength..]);
        return WriteHeader(target, payload.Length);
    }

    private static int WriteHeader(Span<byte> target, int payloadLength)
    {
        var length = PktLine.PktLine.HeaderLength + payloadLength;
        PktLine.PktLine.WriteHeader(target, length);
        return length;
    }
}
