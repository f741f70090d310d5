using System.Buffers;
using Lode.Git.Objects;
using Lode.Git.Refs;
using System.Runtime.CompilerServices;

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
    /// valid until the next one is asked for: the buffer is reused.
    /// </summary>
    public IEnumerable<ReadOnlyMemory<byte>> Chunks(int chunkSize)
    {
        var buffer = new ArrayBufferWriter<byte>(chunkSize + PktLine.PktLine.MaxPacketLength);
        if (version1)
        {
            PktLine.PktLine.WriteString(buffer, "version 1\n");
        }

        if (refs.Count == 0)
        {
            WriteRef(buffer, format.ZeroOid, "capabilities^{}"u8, capabilities);
        }

        for (var i = 0; i < refs.Count; i++)
        {
            WriteRef(buffer, refs[i].Oid, refs[i].NameBytes, i == 0 ? capabilities : null);
            if (buffer.WrittenCount >= chunkSize)
            {
                yield return buffer.WrittenMemory;
                buffer.ResetWrittenCount();
            }
        }

        PktLine.PktLine.WriteFlush(buffer);
        yield return buffer.WrittenMemory;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteRef(ArrayBufferWriter<byte> buffer, string oid, ReadOnlySpan<byte> name, byte[]? capabilities)
    {
        var length = oid.Length + 1 + name.Length + (capabilities is null ? 0 : 1 + capabilities.Length) + 1;
        var line = ArrayPool<byte>.Shared.Rent(length);
        var at = System.Text.Encoding.ASCII.GetBytes(oid, line);
        line[at++] = (byte)' ';
        name.CopyTo(line.AsSpan(at));
        at += name.Length;
        if (capabilities is not null)
        {
            line[at++] = 0;
            capabilities.CopyTo(line.AsSpan(at));
            at += capabilities.Length;
        }

        line[at++] = (byte)'\n';
        PktLine.PktLine.WriteData(buffer, line.AsSpan(0, at));
        ArrayPool<byte>.Shared.Return(line);
    }
}
