using System.Buffers.Binary;
using Lode.Core.Errors;
using Microsoft.Win32.SafeHandles;

namespace Lode.Git.Housekeeping;

/// <summary>
/// Reads the fixed header (and, for chunk-format files, the chunk table) at the start of git's binary data files:
/// commit-graphs, multi-pack-indexes and bitmaps. Only the first few KiB are read, never the whole file.
/// A file that vanished since it was listed reads as absent; a file that does not carry its signature, or is too short
/// for its header, fails the call, as it does in Gitaly.
/// </summary>
internal static class DataFileHeader
{
    private const int ChunkTableEntrySize = 12; // 4-byte chunk id, 8-byte offset
    private const int MaxChunks = byte.MaxValue;

    /// <summary>
    /// Reads the header of a chunk-format file (gitformat-chunk(5)) whose chunk count is the byte at
    /// <paramref name="chunkCountOffset"/>, followed by the table of contents (chunk count + 1 entries, the last one a
    /// terminating zero id). Returns the header bytes and the chunk ids, or null when the file is gone.
    /// </summary>
    public static (byte[] Header, uint[] ChunkIds)? ReadChunkFile(string path, ReadOnlySpan<byte> signature,
        int headerLength, int chunkCountOffset, string kind)
    {
        Span<byte> buffer = stackalloc byte[headerLength + ((MaxChunks + 1) * ChunkTableEntrySize)];
        var read = ReadPrefix(path, buffer);
        if (read < 0)
        {
            return null;
        }

        var data = buffer[..read];
        CheckSignature(data, signature, headerLength, path, kind);
        int chunkCount = data[chunkCountOffset];
        var tableEnd = headerLength + ((chunkCount + 1) * ChunkTableEntrySize);
        if (data.Length < tableEnd)
        {
            throw Invalid("repository info: truncated chunk table", path, kind);
        }

        var ids = new uint[chunkCount];
        for (var i = 0; i < chunkCount; i++)
        {
            ids[i] = BinaryPrimitives.ReadUInt32BigEndian(data[(headerLength + (i * ChunkTableEntrySize))..]);
        }

        return (data[..headerLength].ToArray(), ids);
    }

    /// <summary>Reads a plain fixed-size header; null when the file is gone.</summary>
    public static byte[]? ReadHeader(string path, ReadOnlySpan<byte> signature, int headerLength, string kind)
    {
        Span<byte> buffer = stackalloc byte[headerLength];
        var read = ReadPrefix(path, buffer);
        if (read < 0)
        {
            return null;
        }

        CheckSignature(buffer[..read], signature, headerLength, path, kind);
        return buffer.ToArray();
    }

    /// <summary>A chunk id as the big-endian number its four ASCII letters form on disk.</summary>
    public static uint ChunkId(ReadOnlySpan<byte> name) => BinaryPrimitives.ReadUInt32BigEndian(name);

    public static LodeException Invalid(string message, string path, string kind) =>
        LodeException.Internal(message).With("file_kind", kind).With("path", path);

    private static void CheckSignature(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, int headerLength,
        string path, string kind)
    {
        if (data.Length < headerLength)
        {
            throw Invalid("repository info: truncated header", path, kind);
        }

        if (!data.StartsWith(signature))
        {
            throw Invalid("repository info: invalid signature", path, kind);
        }
    }

    /// <summary>Fills <paramref name="buffer"/> from the start of the file; returns the count read, or -1 if it is gone.</summary>
    private static int ReadPrefix(string path, Span<byte> buffer)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (FileWalk.IsGone(e))
        {
            return -1;
        }

        using (handle)
        {
            var total = 0;
            while (total < buffer.Length)
            {
                var n = RandomAccess.Read(handle, buffer[total..], total);
                if (n == 0)
                {
                    break;
                }

                total += n;
            }

            return total;
        }
    }
}
