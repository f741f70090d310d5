using Gitaly;
using Google.Protobuf;

namespace Lode.Server.Conversions;

/// <summary>
/// Gitaly's trailer parser for the output of <c>%(trailers:unfold,separator=%x00)</c>: <c>key:value</c> pairs
/// separated by NUL. Entries without a colon (or with an empty key) are skipped, values are trimmed, and parsing
/// stops at the first key over 128 bytes or value over 512 bytes, or after 64 trailers.
/// </summary>
public static class CommitTrailers
{
    private const int MaxTrailers = 64;
    private const int MaxKeySize = 128;
    private const int MaxValueSize = 512;

    public static List<CommitTrailer> Parse(ReadOnlySpan<byte> input)
    {
        var trailers = new List<CommitTrailer>();
        while (!input.IsEmpty && trailers.Count < MaxTrailers)
        {
            var end = input.IndexOf((byte)0);
            var entry = end < 0 ? input : input[..end];
            input = end < 0 ? [] : input[(end + 1)..];

            var colon = entry.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            var key = entry[..colon];
            var value = TrimSpace(entry[(colon + 1)..]);
            if (key.Length > MaxKeySize || value.Length > MaxValueSize)
            {
                break;
            }

            trailers.Add(new CommitTrailer { Key = ByteString.CopyFrom(key), Value = ByteString.CopyFrom(value) });
        }

        return trailers;
    }

    /// <summary>Go's <c>bytes.TrimSpace</c> for ASCII whitespace (trailers are unfolded text).</summary>
    private static ReadOnlySpan<byte> TrimSpace(ReadOnlySpan<byte> value) => value.Trim(" \t\n\v\f\r"u8);
}
