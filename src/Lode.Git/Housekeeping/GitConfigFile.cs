using System.Runtime.CompilerServices;

namespace Lode.Git.Housekeeping;

/// <summary>
/// Just enough of git's config syntax to read a repository's own config without starting git: sections
/// (<c>[extensions]</c>, case-insensitive), <c>key = value</c> lines, <c>#</c>/<c>;</c> comments and double quotes;
/// one key's value, or the list of keys set.
/// Includes are not followed (<see cref="Keys"/> lists an include as a key, for callers to refuse); git only honours
/// <c>extensions.*</c> from the repository's own config.
/// </summary>
internal static class GitConfigFile
{
    private static readonly System.Buffers.SearchValues<char> KeyChars =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");

    private static readonly System.Buffers.SearchValues<char> SectionChars =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.");

    /// <summary>The last value of <paramref name="section"/>.<paramref name="key"/> (both case-insensitive), or null.</summary>
    public static string? Find(IEnumerable<string> lines, string section, string key)
    {
        string? current = null;
        string? value = null;
        foreach (var raw in lines)
        {
            var line = raw.AsSpan().Trim();
            if (line.IsEmpty || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[')
            {
                var close = line.IndexOf(']');
                current = close < 0 ? null : line[1..close].Trim().ToString();
                line = close < 0 ? ReadOnlySpan<char>.Empty : line[(close + 1)..].Trim();
                if (line.IsEmpty)
                {
                    continue;
                }
            }

            if (current is null || !current.Equals(section, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var equals = line.IndexOf('=');
            var name = (equals < 0 ? line : line[..equals]).Trim();
            if (!name.Equals(key, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            // A bare key is boolean true in git; it is not a value we look for, but it still overrides earlier ones.
            value = equals < 0 ? "true" : Unquote(StripComment(line[(equals + 1)..]).Trim());
        }

        return value;
    }

    /// <summary>
    /// Every key the file sets, as <c>section[.subsection].name</c> (subsection as written, the rest as written too;
    /// compare them case-insensitively), or null when the file uses syntax this reader does not follow: a value
    /// continued on the next line, a malformed section header, a key git would refuse.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static List<string>? Keys(IEnumerable<string> lines)
    {
        var keys = new List<string>();
        string? current = null;
        foreach (var raw in lines)
        {
            var line = raw.AsSpan().Trim();
            if (line.EndsWith('\\'))
            {
                return null;
            }

            if (line.IsEmpty || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[')
            {
                var close = line.IndexOf(']');
                if (close < 0 || SectionKey(line[1..close]) is not { } section)
                {
                    return null;
                }

                current = section;
                line = line[(close + 1)..].Trim();
                if (line.IsEmpty || line[0] is '#' or ';')
                {
                    continue;
                }
            }

            var equals = line.IndexOf('=');
            var name = (equals < 0 ? line : line[..equals]).Trim();
            if (current is null || name.IsEmpty || !char.IsAsciiLetter(name[0]) || name.ContainsAnyExcept(KeyChars))
            {
                return null;
            }

            keys.Add(current + "." + name.ToString());
        }

        return keys;
    }

    /// <summary><c>section</c>, <c>section "sub"</c> or the old <c>section.sub</c>, as <c>section[.sub]</c>.</summary>
    private static string? SectionKey(ReadOnlySpan<char> header)
    {
        header = header.Trim();
        var quote = header.IndexOf('"');
        if (quote < 0)
        {
            return header.IsEmpty || header.ContainsAnyExcept(SectionChars) ? null : header.ToString();
        }

        var section = header[..quote].TrimEnd();
        var subsection = header[(quote + 1)..];
        if (section.IsEmpty || section.ContainsAnyExcept(SectionChars) || section.Contains('.') || subsection.Length == 0 ||
            subsection[^1] != '"' || subsection[..^1].ContainsAny('"', '\\'))
        {
            return null;
        }

        return section.ToString() + "." + subsection[..^1].ToString();
    }

    private static ReadOnlySpan<char> StripComment(ReadOnlySpan<char> value)
    {
        var inQuotes = false;
        for (var i = 0; i < value.Length; i++)
        {
            switch (value[i])
            {
                case '"':
                    inQuotes = !inQuotes;
                    break;
                case '#' or ';' when !inQuotes:
                    return value[..i];
            }
        }

        return value;
    }

    private static string Unquote(ReadOnlySpan<char> value) =>
        value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1].ToString() : value.ToString();
}
