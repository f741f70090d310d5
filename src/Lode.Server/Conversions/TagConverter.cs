using Gitaly;
using Google.Protobuf;
using Lode.Git.Objects;

namespace Lode.Server.Conversions;

/// <summary>
/// Builds the <c>Tag</c> message from a raw annotated tag object the way Gitaly's tag parser does, quirks included:
/// the message is everything after the headers <em>with</em> any signature block; the signature type comes from
/// the first "-----BEGIN" in the message; for FindTag and FindAllTags trailing LFs are trimmed and the message is
/// cut at 10 KiB while <c>message_size</c> keeps the trimmed length.
/// </summary>
public static class TagConverter
{
    /// <summary>
    /// Parses a tag object. <paramref name="name"/> is the ref's name without <c>refs/tags/</c>; when empty, the
    /// object's own <c>tag</c> header is used. <c>target_commit</c> is left for the caller, who knows how the tag
    /// peels; the tagged object is returned for that.
    /// </summary>
    public static Tag Parse(string oid, ReadOnlySpan<byte> data, ReadOnlySpan<byte> name, out TaggedObject tagged)
    {
        var tag = new Tag { Id = oid, Name = ByteString.CopyFrom(name) };
        var taggedId = "";
        var taggedType = "";
        var position = 0;
        var sawSeparator = false;
        while (position < data.Length)
        {
            var rest = data[position..];
            var newline = rest.IndexOf((byte)'\n');
            var line = newline < 0 ? rest : rest[..newline];
            position += newline < 0 ? rest.Length : newline + 1;
            if (newline == 0)
            {
                sawSeparator = true;
                break;
            }

            var space = line.IndexOf((byte)' ');
            if (space < 0)
            {
                continue;
            }

            var key = line[..space];
            var value = line[(space + 1)..];
            if (key.SequenceEqual("object"u8))
            {
                taggedId = System.Text.Encoding.UTF8.GetString(value);
            }
            else if (key.SequenceEqual("type"u8))
            {
                taggedType = ObjectTypes.ToName(value);
            }
            else if (key.SequenceEqual("tag"u8))
            {
                if (tag.Name.IsEmpty)
                {
                    tag.Name = ByteString.CopyFrom(value);
                }
            }
            else if (key.SequenceEqual("tagger"u8))
            {
                tag.Tagger = CommitConverter.ToAuthor(Signature.Parse(value));
            }
        }

        tagged = new TaggedObject(taggedId, taggedType);
        if (!sawSeparator)
        {
            return tag;
        }

        var message = data[position..];
        tag.Message = ByteString.CopyFrom(message);
        tag.MessageSize = message.Length;
        if (ExtractSignature(message, out var signature) >= 0)
        {
            var end = signature.IndexOf((byte)'\n');
            if (end > 0)
            {
                tag.SignatureType = SignatureTypeOf(signature[..end]);
            }
        }

        return tag;
    }

    /// <summary>
    /// Gitaly's <c>TrimTagMessage</c>: strips every trailing LF, records that length as <c>message_size</c>, then cuts
    /// the message at <see cref="CommitConverter.MaxMessageSize"/>.
    /// </summary>
    public static void TrimMessage(Tag tag)
    {
        var message = tag.Message.Span;
        var length = message.Length;
        while (length > 0 && message[length - 1] == '\n')
        {
            length--;
        }

        tag.MessageSize = length;
        var kept = Math.Min(length, CommitConverter.MaxMessageSize);
        if (kept != message.Length)
        {
            tag.Message = ByteString.CopyFrom(message[..kept]);
        }
    }

    /// <summary>
    /// Gitaly's <c>ExtractTagSignature</c>: the signature starts at the first "-----BEGIN" of
    /// <paramref name="content"/> (not at its very start) and runs to the end, minus one trailing LF. Returns where
    /// it starts (the payload is everything before), or -1 with an empty signature when there is none.
    /// </summary>
    public static int ExtractSignature(ReadOnlySpan<byte> content, out ReadOnlySpan<byte> signature)
    {
        var index = content.IndexOf("-----BEGIN"u8);
        if (index <= 0)
        {
            signature = [];
            return -1;
        }

        signature = content[index..];
        if (signature[^1] == '\n')
        {
            signature = signature[..^1];
        }

        return index;
    }

    /// <summary>Gitaly's <c>DetectSignatureType</c>: the signature's first line, compared exactly.</summary>
    public static Gitaly.SignatureType SignatureTypeOf(ReadOnlySpan<byte> firstLine)
    {
        if (firstLine.SequenceEqual("-----BEGIN SIGNED MESSAGE-----"u8))
        {
            return Gitaly.SignatureType.X509;
        }

        if (firstLine.SequenceEqual("-----BEGIN PGP MESSAGE-----"u8) || firstLine.SequenceEqual("-----BEGIN PGP SIGNATURE-----"u8))
        {
            return Gitaly.SignatureType.Pgp;
        }

        return firstLine.SequenceEqual("-----BEGIN SSH SIGNATURE-----"u8) ? Gitaly.SignatureType.Ssh : Gitaly.SignatureType.None;
    }
}
