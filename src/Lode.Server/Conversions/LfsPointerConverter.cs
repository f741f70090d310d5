using Gitaly;
using Google.Protobuf;
using Lode.Git.CatFile;
using Lode.Git.Objects;

namespace Lode.Server.Conversions;

/// <summary>Builds <c>LFSPointer</c> messages from blobs that are Git LFS pointers (Gitaly's rules, see <see cref="LfsPointer"/>).</summary>
public static class LfsPointerConverter
{
    /// <summary>The pointer message for blob <paramref name="oid"/> with content <paramref name="data"/>; null when it is no pointer.</summary>
    public static LFSPointer? TryConvert(string oid, ReadOnlySpan<byte> data)
    {
        if (!LfsPointer.TryParse(data, out var fileOid, out var fileSize))
        {
            return null;
        }

        return new LFSPointer
        {
            Oid = oid,
            Size = data.Length,
            Data = ByteString.CopyFrom(data),
            FileOid = ByteString.CopyFrom(fileOid),
            FileSize = fileSize,
        };
    }

    /// <summary>
    /// Reads a blob of at most <see cref="LfsPointer.MaxSize"/> bytes and converts it; null for larger blobs and other
    /// objects (whose content is left for the caller's pipeline to skip).
    /// </summary>
    public static async Task<LFSPointer?> ReadAsync(ObjectContentStream content, CancellationToken cancellationToken)
    {
        if (content.Info.Type != ObjectTypes.Blob || content.Info.Size > LfsPointer.MaxSize)
        {
            return null;
        }

        var buffer = new byte[content.Info.Size];
        await content.ReadExactlyAsync(buffer, cancellationToken);
        return TryConvert(content.Info.Oid, buffer);
    }
}
