using System.Buffers;
using System.Text;
using Lode.Core.Text;

namespace Lode.Git.Objects;

/// <summary>
/// Gitaly's <c>ObjectHash.ValidateHex</c>: a full object id of the repository's format, lower-case hex only, with
/// Gitaly's messages (<c>invalid object ID: "abc", expected length 40, got 3</c>), which clients see verbatim.
/// </summary>
public static class ObjectIdValidator
{
    /// <summary>Gitaly's message for what is wrong with <paramref name="hex"/>; null when it is a valid id.</summary>
    public static string? Check(ObjectFormat format, ReadOnlySpan<byte> hex)
    {
        // Go measures the length in bytes and ranges over runes (an invalid byte reads as U+FFFD).
        if (hex.Length != format.HexLength)
        {
            return $"invalid object ID: {GoQuote.Quote(hex)}, expected length {format.HexLength}, got {hex.Length}";
        }

        var rest = hex;
        while (!rest.IsEmpty)
        {
            var c = rest[0];
            if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))
            {
                rest = rest[1..];
                continue;
            }

            var rune = Rune.DecodeFromUtf8(rest, out var decoded, out _) == OperationStatus.Done ? decoded : Rune.ReplacementChar;
            return $"invalid object ID: {GoQuote.Quote(hex)}, invalid character {GoQuote.QuoteRune(rune)}";
        }

        return null;
    }

    /// <inheritdoc cref="Check(ObjectFormat, ReadOnlySpan{byte})"/>
    public static string? Check(ObjectFormat format, string hex) => Check(format, Encoding.UTF8.GetBytes(hex));
}
