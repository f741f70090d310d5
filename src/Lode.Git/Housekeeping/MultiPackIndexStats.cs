using System.Buffers.Binary;

namespace Lode.Git.Housekeeping;

/// <summary>
/// The header and chunk table of <c>objects/pack/multi-pack-index</c> (gitformat-pack(5)): "MIDX", a u8 version,
/// a u8 hash version, a u8 chunk count, a u8 base-file count and a big-endian u32 pack count.
/// </summary>
/// <param name="PackfileCount">Packfiles the index covers.</param>
/// <param name="Version">Format version; git writes 1.</param>
/// <param name="HasLargeOffsets">The LOFF chunk: some object sits beyond 4 GiB in its pack.</param>
/// <param name="HasBitmappedPacks">The BTMP chunk (git 2.44+): which packs the MIDX bitmap covers.</param>
/// <param name="HasReverseIndex">The RIDX chunk: the reverse index is stored inside the MIDX.</param>
internal sealed record MultiPackIndexStats(
    ulong PackfileCount,
    byte Version,
    bool HasLargeOffsets,
    bool HasBitmappedPacks,
    bool HasReverseIndex)
{
    private const int HeaderLength = 12;
    private const int ChunkCountOffset = 6;
    private static readonly uint LargeOffsets = DataFileHeader.ChunkId("LOFF"u8);
    private static readonly uint BitmappedPacks = DataFileHeader.ChunkId("BTMP"u8);
    private static readonly uint ReverseIndex = DataFileHeader.ChunkId("RIDX"u8);

    /// <summary>Reads the multi-pack-index at <paramref name="path"/>; null when it is gone.</summary>
    public static MultiPackIndexStats? Read(string path)
    {
        const string Kind = "multi-pack-index";
        var file = DataFileHeader.ReadChunkFile(path, "MIDX"u8, HeaderLength, ChunkCountOffset, Kind);
        if (file is not { } contents)
        {
            return null;
        }

        var (header, chunkIds) = contents;

        var version = header[4];
        if (version != 1)
        {
            throw DataFileHeader.Invalid("repository info: unsupported multi-pack-index version", path, Kind);
        }

        // A chain of incremental MIDX files keeps its layers in multi-pack-index.d/; the plain file has no base.
        if (header[7] != 0)
        {
            throw DataFileHeader.Invalid("repository info: unsupported multi-pack-index base count", path, Kind);
        }

        return new MultiPackIndexStats(
            BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(8)),
            version,
            Array.IndexOf(chunkIds, LargeOffsets) >= 0,
            Array.IndexOf(chunkIds, BitmappedPacks) >= 0,
            Array.IndexOf(chunkIds, ReverseIndex) >= 0);
    }
}
