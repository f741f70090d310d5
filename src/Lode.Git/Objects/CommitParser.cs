using System.Buffers;

namespace Lode.Git.Objects;

/// <summary>
/// Parses raw commit objects (the bytes <c>cat-file</c> returns). Lenient like Gitaly: an unknown or malformed
/// header is kept or skipped, never an exception, because a repository may hold commits that git itself accepted
/// with <c>fsck</c> turned off.
/// </summary>
public static class CommitParser
{
    public static ParsedCommit Parse(ReadOnlySequence<byte> data) =>
        data.IsSingleSegment ? Parse(data.FirstSpan) : Parse(data.ToArray());

    public static ParsedCommit Parse(ReadOnlySpan<byte> data)
    {
        var tree = "";
        List<string>? parents = null;
        Signature? author = null;
        Signature? committer = null;
        byte[] encoding = [];
        byte[] signature = [];
        List<ObjectHeader>? extra = null;

        var headers = new ObjectHeaderReader(data);
        while (headers.TryRead(out var key, out var value, out var continued))
        {
            if (key.SequenceEqual("tree"u8) && tree.Length == 0 && !continued)
            {
                tree = HexString(value);
            }
            else if (key.SequenceEqual("parent"u8) && !continued)
            {
                (parents ??= []).Add(HexString(value));
            }
            else if (key.SequenceEqual("author"u8) && author is null)
            {
                author = Signature.Parse(value);
            }
            else if (key.SequenceEqual("committer"u8) && committer is null)
            {
                committer = Signature.Parse(value);
            }
            else if (key.SequenceEqual("encoding"u8) && encoding.Length == 0)
            {
                encoding = value.ToArray();
            }
            else if (IsSignatureHeader(key) && signature.Length == 0)
            {
                signature = WithFinalNewline(ObjectHeaderReader.Unfold(value));
            }
            else
            {
                (extra ??= []).Add(new ObjectHeader(key.ToArray(), continued ? ObjectHeaderReader.Unfold(value) : value.ToArray()));
            }
        }

        var body = data[headers.BodyStart..];
        return new ParsedCommit
        {
            TreeId = tree,
            ParentIds = parents is null ? [] : parents,
            Author = author,
            Committer = committer,
            Encoding = encoding,
            SignatureData = signature,
            SignatureType = signature.Length == 0 ? SignatureType.None : SignatureDetector.Detect(signature),
            ExtraHeaders = extra is null ? [] : extra,
            Body = body.ToArray(),
            Subject = FirstLine(body).ToArray(),
        };
    }

    /// <summary>
    /// The bytes a commit signature signs: the object without its <c>gpgsig</c>/<c>gpgsig-sha256</c> header lines
    /// (what <c>git verify-commit</c> checks, and Gitaly's GetCommitSignatures returns as signed text).
    /// </summary>
    public static byte[] ExtractSignedPayload(ReadOnlySpan<byte> data)
    {
        var result = new ArrayBufferWriter<byte>(Math.Max(1, data.Length));
        var position = 0;
        var inSignature = false;
        while (position < data.Length)
        {
            var end = data[position..].IndexOf((byte)'\n');
            var next = end < 0 ? data.Length : position + end + 1;
            var line = data[position..next];
            if (line.SequenceEqual("\n"u8))
            {
                result.Write(data[position..]);
                break;
            }

            if (inSignature && line[0] == ' ')
            {
                position = next;
                continue;
            }

            inSignature = false;
            var space = line.IndexOf((byte)' ');
            if (space > 0 && IsSignatureHeader(line[..space]))
            {
                inSignature = true;
            }
            else
            {
                result.Write(line);
            }

            position = next;
        }

        return result.WrittenSpan.ToArray();
    }

    internal static bool IsSignatureHeader(ReadOnlySpan<byte> key) =>
        key.SequenceEqual("gpgsig"u8) || key.SequenceEqual("gpgsig-sha256"u8);

    /// <summary>Object ids in headers are ASCII hex; anything else is kept as Latin-1 so nothing is lost.</summary>
    internal static string HexString(ReadOnlySpan<byte> value) => System.Text.Encoding.Latin1.GetString(value);

    /// <summary>The first line without trailing CRs, as Gitaly's <c>subjectFromBody</c> (TrimRight "\r\n").</summary>
    internal static ReadOnlySpan<byte> FirstLine(ReadOnlySpan<byte> text)
    {
        var end = text.IndexOf((byte)'\n');
        return (end < 0 ? text : text[..end]).TrimEnd((byte)'\r');
    }

    private static byte[] WithFinalNewline(byte[] value)
    {
        var result = new byte[value.Length + 1];
        value.CopyTo(result, 0);
        result[^1] = (byte)'\n';
        return result;
    }
}
