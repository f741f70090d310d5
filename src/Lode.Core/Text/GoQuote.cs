using System.Globalization;
using System.Text;

namespace Lode.Core.Text;

/// <summary>
/// Go's <c>%q</c> formatting (<c>strconv.Quote</c> and <c>strconv.QuoteRune</c>). Gitaly puts request values into
/// some error messages with <c>%q</c> (e.g. <c>invalid object ID: "abc", expected length 40, got 3</c>), and
/// clients match on those texts, so the quoting must be the same.
/// </summary>
public static class GoQuote
{
    /// <summary>Quotes UTF-8 bytes as Go quotes a string: invalid bytes become <c>\xNN</c>.</summary>
    public static string Quote(ReadOnlySpan<byte> value)
    {
        var builder = new StringBuilder(value.Length + 2);
        builder.Append('"');
        while (!value.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(value, out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\x{value[0]:x2}");
                value = value[1..];
                continue;
            }

            AppendRune(builder, rune, '"');
            value = value[consumed..];
        }

        return builder.Append('"').ToString();
    }

    /// <summary>Quotes a string as Go's <c>%q</c> does.</summary>
    public static string Quote(string value) => Quote(Encoding.UTF8.GetBytes(value));

    /// <summary>Quotes one character as Go's <c>%q</c> does for a rune: <c>'x'</c>, <c>'\x00'</c>.</summary>
    public static string QuoteRune(Rune rune)
    {
        var builder = new StringBuilder(8);
        builder.Append('\'');
        AppendRune(builder, rune, '\'');
        return builder.Append('\'').ToString();
    }

    private static void AppendRune(StringBuilder builder, Rune rune, char quote)
    {
        var value = rune.Value;
        if (value == quote || value == '\\')
        {
            builder.Append('\\').Append((char)value);
            return;
        }

        if (IsPrint(rune))
        {
            builder.Append(rune.ToString());
            return;
        }

        switch (value)
        {
            case '\a': builder.Append("\\a"); return;
            case '\b': builder.Append("\\b"); return;
            case '\f': builder.Append("\\f"); return;
            case '\n': builder.Append("\\n"); return;
            case '\r': builder.Append("\\r"); return;
            case '\t': builder.Append("\\t"); return;
            case '\v': builder.Append("\\v"); return;
        }

        if (value < ' ' || value == 0x7f)
        {
            builder.Append(CultureInfo.InvariantCulture, $"\\x{value:x2}");
        }
        else if (value < 0x10000)
        {
            builder.Append(CultureInfo.InvariantCulture, $"\\u{value:x4}");
        }
        else
        {
            builder.Append(CultureInfo.InvariantCulture, $"\\U{value:x8}");
        }
    }

    // Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
    private static bool IsPrint(Rune rune)
    {
        if (rune.Value == ' ')
        {
            return true;
        }

        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter or
                UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => true,
            UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => true,
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => true,
            UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation or
                UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation or
                UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation => true,
            UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol or
                UnicodeCategory.OtherSymbol => true,
            _ => false,
        };
    }
}
