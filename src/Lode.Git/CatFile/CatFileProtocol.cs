using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Lode.Core.Errors;
using Lode.Git.Objects;

namespace Lode.Git.CatFile;

/// <summary>
/// The wire format of <c>git cat-file --batch-command</c>. Headers are <c>&lt;oid&gt; SP &lt;type&gt; SP &lt;size&gt;</c>,
/// or <c>&lt;name&gt; SP missing</c> / <c>&lt;name&gt; SP ambiguous</c>, each followed by the output delimiter: LF, or
/// NUL with <c>-Z</c> (git ≥ 2.42). Contents follow a header and end with one more delimiter.
/// </summary>
internal static class CatFileProtocol
{
    /// <summary>
    /// A header longer than this is a broken stream, not a slow one. "missing" lines echo the revision, so the
    /// bound is generous.
    /// </summary>
    public const int MaxHeaderLength = 64 * 1024;

    /// <summary>
    /// Finds a whole header at the front of <paramref name="buffer"/> and slices it (and its delimiter) off.
    /// False when the delimiter has not arrived yet.
    /// </summary>
    public static bool TryReadHeader(ref ReadOnlySequence<byte> buffer, byte delimiter, out CatFileHeader header)
    {
        header = default;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySpan<byte> line, delimiter))
        {
            if (buffer.Length > MaxHeaderLength)
            {
                throw LodeException.Internal("cat-file: header too long");
            }

            return false;
        }

        header = ParseHeader(line);
        buffer = buffer.Slice(reader.Position);
        return true;
    }

    /// <summary>Parses one header line (without its delimiter).</summary>
    public static CatFileHeader ParseHeader(ReadOnlySpan<byte> line)
    {
        // The found form ends in digits, so these suffixes cannot be mistaken for it whatever the revision was.
        if (line.EndsWith(" missing"u8))
        {
            return new CatFileHeader(CatFileHeaderStatus.Missing, null);
        }

        if (line.EndsWith(" ambiguous"u8))
        {
            return new CatFileHeader(CatFileHeaderStatus.Ambiguous, null);
        }

        var sizeStart = line.LastIndexOf((byte)' ');
        var typeStart = sizeStart < 0 ? -1 : line[..sizeStart].LastIndexOf((byte)' ');
        if (typeStart < 0 ||
            !Utf8Parser.TryParse(line[(sizeStart + 1)..], out long size, out var consumed) || consumed != line.Length - sizeStart - 1 || size < 0 ||
            ObjectFormat.FromHexLength(typeStart) is not { } format || !format.IsValidHex(line[..typeStart]))
        {
            throw LodeException.Internal("cat-file: invalid header").With("header", Encoding.Latin1.GetString(line));
        }

        var oid = Encoding.ASCII.GetString(line[..typeStart]);
        var type = ObjectTypes.ToName(line[(typeStart + 1)..sizeStart]);
        return new CatFileHeader(CatFileHeaderStatus.Found, new ObjectInfo(oid, type, size));
    }

    /// <summary>
    /// Checks that a revision can be sent. Input is NUL-terminated, so NUL cannot be part of it; with LF-terminated
    /// output (git &lt; 2.42) an LF would break the echoed name of a "missing" line, so it is refused as well.
    /// </summary>
    public static void ValidateRevision(ReadOnlySpan<byte> revision, bool nulOutput)
    {
        if (revision.IsEmpty)
        {
            throw LodeException.InvalidArgument("empty revision");
        }

        if (revision.Contains((byte)0) || (!nulOutput && revision.Contains((byte)'\n')))
        {
            throw LodeException.InvalidArgument("revision contains an invalid character");
        }
    }
}
