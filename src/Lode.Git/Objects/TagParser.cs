using System.Buffers;

namespace Lode.Git.Objects;

/// <summary>
/// Parses raw annotated tag objects. The signature of a tag is not a header but appended to the message; it is
/// split off as git's <c>parse_signed_buffer</c> does (the last line starting with a known BEGIN marker).
/// </summary>
public static class TagParser
{
    public static ParsedTag Parse(ReadOnlySequence<byte> data) =>
        data.IsSingleSegment ? Parse(data.FirstSpan) : Parse(data.ToArray());

    public static ParsedTag Parse(ReadOnlySpan<byte> data)
    {
        var objectId = "";
        var objectType = "";
        byte[] name = [];
        Signature? tagger = null;
        List<ObjectHeader>? extra = null;

        var headers = new ObjectHeaderReader(data);
        while (headers.TryRead(out var key, out var value, out var continued))
        {
            if (key.SequenceEqual("object"u8) && objectId.Length == 0 && !continued)
            {
                objectId = CommitParser.HexString(value);
            }
            else if (key.SequenceEqual("type"u8) && objectType.Length == 0 && !continued)
            {
                objectType = ObjectTypes.ToName(value);
            }
            else if (key.SequenceEqual("tag"u8) && name.Length == 0 && !continued)
            {
                name = value.ToArray();
            }
            else if (key.SequenceEqual("tagger"u8) && tagger is null)
            {
                tagger = Signature.Parse(value);
            }
            else
            {
                (extra ??= []).Add(new ObjectHeader(key.ToArray(), continued ? ObjectHeaderReader.Unfold(value) : value.ToArray()));
            }
        }

        var body = data[headers.BodyStart..];
        var signatureStart = SignatureDetector.FindTrailingSignature(body);
        var signature = body[signatureStart..];
        return new ParsedTag
        {
            ObjectId = objectId,
            ObjectType = objectType,
            Name = name,
            Tagger = tagger,
            ExtraHeaders = extra is null ? [] : extra,
            Body = body.ToArray(),
            Message = body[..signatureStart].ToArray(),
            SignatureData = signature.ToArray(),
            SignatureType = signature.IsEmpty ? SignatureType.None : SignatureDetector.Detect(signature),
        };
    }
}
