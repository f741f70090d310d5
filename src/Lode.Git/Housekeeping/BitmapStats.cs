using System.Buffers.Binary;

namespace Lode.Git.Housekeeping;

/// <summary>
/// The header of a reachability bitmap (<c>pack-*.bitmap</c> or <c>multi-pack-index-*.bitmap</c>), see
/// gitformat-bitmap(5): "BITM", a big-endian u16 version and a big-endian u16 flags word.
/// </summary>
/// <param name="Version">Always 1; git knows no other.</param>
/// <param name="HasHashCache">BITMAP_OPT_HASH_CACHE: name-hashes of the packed objects, used for delta reuse.</param>
/// <param name="HasLookupTable">BITMAP_OPT_LOOKUP_TABLE: lets git load single bitmaps lazily (git 2.38+).</param>
internal sealed record BitmapStats(ushort Version, bool HasHashCache, bool HasLookupTable)
{
    private const int HeaderLength = 8;
    private const ushort HashCacheFlag = 0x4;
    private const ushort LookupTableFlag = 0x10;

    /// <summary>Reads the bitmap at <paramref name="path"/>; null when it is gone.</summary>
    public static BitmapStats? Read(string path)
    {
        var header = DataFileHeader.ReadHeader(path, "BITM"u8, HeaderLength, "bitmap");
        if (header is null)
        {
            return null;
        }

        var version = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(4));
        if (version != 1)
        {
            throw DataFileHeader.Invalid("repository info: unsupported bitmap version", path, "bitmap");
        }

        var flags = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(6));
        return new BitmapStats(version, (flags & HashCacheFlag) != 0, (flags & LookupTableFlag) != 0);
    }
}
