using System.Text;
using System.Text.RegularExpressions;

namespace Lode.Git.Linguist;

/// <summary>
/// Compiles Linguist's patterns (written for Ruby) the way Gitaly's go-enry sees them: go-enry uses Go's RE2
/// engine, which rejects lookarounds, backreferences, atomic groups, possessive quantifiers and extended mode, and
/// skips every pattern it cannot compile. The same patterns are refused here (null), so the rules that survive are
/// the ones Gitaly applies. Accepted patterns are translated where .NET spells RE2 syntax differently and run on
/// the non-backtracking engine, which, like RE2, has no exponential cases.
/// </summary>
internal static class LinguistRegex
{
    public static Regex? Compile(string pattern, bool multiline)
    {
        var translated = Translate(pattern);
        if (translated is null)
        {
            return null;
        }

        var options = RegexOptions.CultureInvariant | (multiline ? RegexOptions.Multiline : RegexOptions.None);
        try
        {
            return new Regex(translated, options | RegexOptions.NonBacktracking);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            try
            {
                return new Regex(translated, options, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException)
            {
                return null;
            }
        }
    }

    /// <summary>The .NET spelling of an RE2-compatible pattern; null when RE2 would refuse it.</summary>
    internal static string? Translate(string pattern)
    {
        var output = new StringBuilder(pattern.Length + 8);
        var inClass = false;
        var afterQuantifier = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\')
            {
                if (i + 1 >= pattern.Length)
                {
                    return null;
                }

                var next = pattern[i + 1];
                switch (next)
                {
                    case >= '1' and <= '9' when !inClass:
                    case 'k' or 'g':
                    case 'h' or 'H' or 'Z' or 'G' or 'C' or 'Q' or 'E' or 'R' or 'X' or 'K':
                        return null;
                    case 'p' or 'P' when i + 2 < pattern.Length && pattern[i + 2] != '{':
                        // RE2 allows \pL; .NET wants braces.
                        output.Append('\\').Append(next).Append('{').Append(pattern[i + 2]).Append('}');
                        i += 2;
                        afterQuantifier = false;
                        continue;
                    case 'x' when i + 2 < pattern.Length && pattern[i + 2] == '{':
                        var close = pattern.IndexOf('}', i + 3);
                        if (close < 0 || !int.TryParse(pattern.AsSpan(i + 3, close - i - 3), System.Globalization.NumberStyles.HexNumber,
                                System.Globalization.CultureInfo.InvariantCulture, out var code) || code > 0xFFFF)
                        {
                            return null;
                        }

                        output.Append("\\u").Append(code.ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
                        i = close;
                        afterQuantifier = false;
                        continue;
                }

                output.Append(c).Append(next);
                i++;
                afterQuantifier = false;
                continue;
            }

            if (inClass)
            {
                if (c == '[' && i + 1 < pattern.Length && pattern[i + 1] == ':')
                {
                    var end = pattern.IndexOf(":]", i + 2, StringComparison.Ordinal);
                    var posix = end < 0 ? null : PosixClass(pattern[(i + 2)..end]);
                    if (posix is null)
                    {
                        return null;
                    }

                    output.Append(posix);
                    i = end + 1;
                    continue;
                }

                if (c == ']')
                {
                    inClass = false;
                }

                output.Append(c);
                continue;
            }

            switch (c)
            {
                case '[':
                    inClass = true;
                    output.Append(c);
                    // A ']' right after '[' or '[^' is a literal.
                    if (i + 1 < pattern.Length && pattern[i + 1] == '^')
                    {
                        output.Append('^');
                        i++;
                    }

                    if (i + 1 < pattern.Length && pattern[i + 1] == ']')
                    {
                        output.Append("\\]");
                        i++;
                    }

                    afterQuantifier = false;
                    continue;

                case '(' when i + 1 < pattern.Length && pattern[i + 1] == '?':
                    if (!TranslateGroup(pattern, ref i, output))
                    {
                        return null;
                    }

                    afterQuantifier = false;
                    continue;

                case '*' or '+' or '?' or '}':
                    if (afterQuantifier && c == '+')
                    {
                        // A possessive quantifier (a*+); RE2 has none.
                        return null;
                    }

                    // "a+?" is lazy, not a second quantifier; both engines agree on it.
                    afterQuantifier = !(afterQuantifier && c == '?');
                    output.Append(c);
                    continue;
            }

            afterQuantifier = false;
            output.Append(c);
        }

        return inClass ? null : output.ToString();
    }

    /// <summary>Translates a "(?" construct at <paramref name="i"/>; false when RE2 does not support it.</summary>
    private static bool TranslateGroup(string pattern, ref int i, StringBuilder output)
    {
        var rest = pattern.AsSpan(i + 2);
        if (rest.StartsWith("P<"))
        {
            output.Append("(?<");
            i += 3;
            return true;
        }

        if (rest.StartsWith("<") && rest.Length > 1 && (char.IsAsciiLetter(rest[1]) || rest[1] == '_'))
        {
            output.Append("(?<");
            i += 2;
            return true;
        }

        if (rest.StartsWith(":"))
        {
            output.Append("(?:");
            i += 2;
            return true;
        }

        // Flags: (?i) (?i-s) (?i:...); RE2 knows i, m, s and U, of which .NET lacks U.
        var j = 0;
        while (j < rest.Length && (rest[j] is 'i' or 'm' or 's' or '-'))
        {
            j++;
        }

        if (j > 0 && j < rest.Length && rest[j] is ')' or ':')
        {
            output.Append("(?").Append(rest[..(j + 1)]);
            i += 2 + j;
            return true;
        }

        return false;
    }

    /// <summary>RE2's POSIX classes, which are ASCII-only, as .NET class content.</summary>
    private static string? PosixClass(string name) => name switch
    {
        "alnum" => "0-9A-Za-z",
        "alpha" => "A-Za-z",
        "ascii" => "\\x00-\\x7F",
        "blank" => "\\t ",
        "cntrl" => "\\x00-\\x1F\\x7F",
        "digit" => "0-9",
        "graph" => "!-~",
        "lower" => "a-z",
        "print" => " -~",
        "punct" => "!-/:-@\\[-`{-~",
        "space" => "\\t\\n\\v\\f\\r ",
        "upper" => "A-Z",
        "word" => "0-9A-Za-z_",
        "xdigit" => "0-9A-Fa-f",
        _ => null,
    };
}
