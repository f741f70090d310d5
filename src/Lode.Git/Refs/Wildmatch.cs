namespace Lode.Git.Refs;

/// <summary>
/// git's <c>wildmatch()</c> (wildmatch.c), the glob matcher behind ref patterns: <c>for-each-ref</c> matches with
/// <see cref="WildmatchFlags.PathName"/> (<c>*</c> stops at '/', <c>**</c> crosses it), <c>git tag -l</c> without.
/// Ported byte for byte so that a pattern Lode has to apply itself (because it is not valid UTF-8 and cannot be a
/// process argument) selects exactly the refs git would select.
/// </summary>
public static class Wildmatch
{
    private const int Match = 0;
    private const int NoMatch = 1;
    private const int AbortAll = -1;
    private const int AbortToStarStar = -2;

    /// <summary>True when <paramref name="text"/> matches <paramref name="pattern"/>.</summary>
    public static bool IsMatch(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text, WildmatchFlags flags) =>
        DoWild(pattern, 0, text, 0, flags) == Match;

    // The C code walks NUL-terminated strings; reading past the end of a span yields that terminator.
    private static byte At(ReadOnlySpan<byte> s, int i) => i < s.Length ? s[i] : (byte)0;

    private static int DoWild(ReadOnlySpan<byte> pattern, int p, ReadOnlySpan<byte> text, int t, WildmatchFlags flags)
    {
        var caseFold = (flags & WildmatchFlags.CaseFold) != 0;
        var pathName = (flags & WildmatchFlags.PathName) != 0;
        for (byte pCh; (pCh = At(pattern, p)) != 0; t++, p++)
        {
            var tCh = At(text, t);
            if (tCh == 0 && pCh != '*')
            {
                return AbortAll;
            }

            if (caseFold)
            {
                tCh = ToLower(tCh);
                pCh = ToLower(pCh);
            }

            switch (pCh)
            {
                case (byte)'\\':
                    // A literal match with the next character; a trailing backslash matches nothing.
                    pCh = At(pattern, ++p);
                    if (tCh != pCh)
                    {
                        return NoMatch;
                    }

                    continue;

                case (byte)'?':
                    if (pathName && tCh == '/')
                    {
                        return NoMatch;
                    }

                    continue;

                case (byte)'*':
                    {
                        bool matchSlash;
                        if (At(pattern, ++p) == '*')
                        {
                            var prevP = p - 2;
                            while (At(pattern, ++p) == '*')
                            {
                            }

                            if ((prevP < 0 || pattern[prevP] == '/') &&
                                (At(pattern, p) == 0 || At(pattern, p) == '/' || (At(pattern, p) == '\\' && At(pattern, p + 1) == '/')))
                            {
                                // "foo/**/bar" also matches "foo/bar": try "**/" as matching nothing first.
                                if (At(pattern, p) == '/' && DoWild(pattern, p + 1, text, t, flags) == Match)
                                {
                                    return Match;
                                }

                                matchSlash = true;
                            }
                            else
                            {
                                matchSlash = false;
                            }
                        }
                        else
                        {
                            // Without PathName a single '*' crosses slashes like "**".
                            matchSlash = !pathName;
                        }

                        if (At(pattern, p) == 0)
                        {
                            // A trailing "**" matches everything; a trailing "*" only what has no further slash.
                            if (!matchSlash && text[Math.Min(t, text.Length)..].Contains((byte)'/'))
                            {
                                return NoMatch;
                            }

                            return Match;
                        }

                        if (!matchSlash && At(pattern, p) == '/')
                        {
                            // One '*' followed by '/' matches the rest of this path component.
                            var slash = text[Math.Min(t, text.Length)..].IndexOf((byte)'/');
                            if (slash < 0)
                            {
                                return NoMatch;
                            }

                            t += slash;
                            // The slash itself is consumed by the loop increment.
                            break;
                        }

                        while (true)
                        {
                            if (tCh == 0)
                            {
                                break;
                            }

                            // A literal after the '*': skip ahead to its next occurrence (not past a slash
                            // when '*' cannot match one).
                            if (!IsGlobSpecial(At(pattern, p)))
                            {
                                pCh = At(pattern, p);
                                if (caseFold)
                                {
                                    pCh = ToLower(pCh);
                                }

                                while ((tCh = At(text, t)) != 0 && (matchSlash || tCh != '/'))
                                {
                                    if (caseFold)
                                    {
                                        tCh = ToLower(tCh);
                                    }

                                    if (tCh == pCh)
                                    {
                                        break;
                                    }

                                    t++;
                                }

                                if (tCh != pCh)
                                {
                                    return NoMatch;
                                }
                            }

                            var matched = DoWild(pattern, p, text, t, flags);
                            if (matched != NoMatch)
                            {
                                if (!matchSlash || matched != AbortToStarStar)
                                {
                                    return matched;
                                }
                            }
                            else if (!matchSlash && tCh == '/')
                            {
                                return AbortToStarStar;
                            }

                            tCh = At(text, ++t);
                        }

                        return AbortAll;
                    }

                case (byte)'[':
                    {
                        var result = MatchClass(pattern, ref p, tCh, caseFold);
                        if (result != Match)
                        {
                            return result;
                        }

                        if (pathName && tCh == '/')
                        {
                            return NoMatch;
                        }

                        continue;
                    }

                default:
                    if (tCh != pCh)
                    {
                        return NoMatch;
                    }

                    continue;
            }
        }

        return t < text.Length ? NoMatch : Match;
    }

    /// <summary>
    /// Matches one bracket expression starting at <paramref name="p"/> (on the '['), leaving <paramref name="p"/> on
    /// its closing ']'. Returns <see cref="Match"/>, <see cref="NoMatch"/> or <see cref="AbortAll"/> (malformed).
    /// </summary>
    private static int MatchClass(ReadOnlySpan<byte> pattern, ref int p, byte tCh, bool caseFold)
    {
        var pCh = At(pattern, ++p);
        if (pCh == '^')
        {
            pCh = (byte)'!';
        }

        var negated = pCh == '!';
        if (negated)
        {
            pCh = At(pattern, ++p);
        }

        byte prevCh = 0;
        var matched = false;
        do
        {
            if (pCh == 0)
            {
                return AbortAll;
            }

            if (pCh == '\\')
            {
                pCh = At(pattern, ++p);
                if (pCh == 0)
                {
                    return AbortAll;
                }

                if (tCh == pCh)
                {
                    matched = true;
                }
            }
            else if (pCh == '-' && prevCh != 0 && At(pattern, p + 1) != 0 && At(pattern, p + 1) != ']')
            {
                pCh = At(pattern, ++p);
                if (pCh == '\\')
                {
                    pCh = At(pattern, ++p);
                    if (pCh == 0)
                    {
                        return AbortAll;
                    }
                }

                if (tCh <= pCh && tCh >= prevCh)
                {
                    matched = true;
                }
                else if (caseFold && IsLower(tCh))
                {
                    var upper = (byte)(tCh - 32);
                    if (upper <= pCh && upper >= prevCh)
                    {
                        matched = true;
                    }
                }

                // Resets prevCh, so that "a-c-e" is not read as two ranges.
                pCh = 0;
            }
            else if (pCh == '[' && At(pattern, p + 1) == ':')
            {
                var start = p += 2;
                while ((pCh = At(pattern, p)) != 0 && pCh != ']')
                {
                    p++;
                }

                if (pCh == 0)
                {
                    return AbortAll;
                }

                var length = p - start - 1;
                if (length < 0 || pattern[p - 1] != ':')
                {
                    // No ":]": the '[' is an ordinary member of the set.
                    p = start - 2;
                    pCh = (byte)'[';
                    if (tCh == pCh)
                    {
                        matched = true;
                    }

                    continue;
                }

                var name = pattern.Slice(start, length);
                var inClass = ClassContains(name, tCh, caseFold);
                if (inClass is null)
                {
                    return AbortAll;
                }

                matched |= inClass.Value;
                pCh = 0;
            }
            else if (tCh == pCh)
            {
                matched = true;
            }
        }
        while (Advance(pattern, ref p, ref pCh, ref prevCh));

        return matched == negated ? NoMatch : Match;
    }

    // The do-while condition of the C code: "prev_ch = p_ch, (p_ch = *++p) != ']'".
    private static bool Advance(ReadOnlySpan<byte> pattern, ref int p, ref byte pCh, ref byte prevCh)
    {
        prevCh = pCh;
        pCh = At(pattern, ++p);
        return pCh != ']';
    }

    /// <summary>Whether <paramref name="c"/> is in the POSIX class; null for an unknown class name.</summary>
    private static bool? ClassContains(ReadOnlySpan<byte> name, byte c, bool caseFold)
    {
        if (name.SequenceEqual("alnum"u8))
        {
            return IsAlpha(c) || IsDigit(c);
        }

        if (name.SequenceEqual("alpha"u8))
        {
            return IsAlpha(c);
        }

        if (name.SequenceEqual("blank"u8))
        {
            return c is (byte)' ' or (byte)'\t';
        }

        if (name.SequenceEqual("cntrl"u8))
        {
            return c < 0x20 || c == 0x7f;
        }

        if (name.SequenceEqual("digit"u8))
        {
            return IsDigit(c);
        }

        if (name.SequenceEqual("graph"u8))
        {
            return c > 0x20 && c < 0x7f;
        }

        if (name.SequenceEqual("lower"u8))
        {
            return IsLower(c);
        }

        if (name.SequenceEqual("print"u8))
        {
            return c >= 0x20 && c < 0x7f;
        }

        if (name.SequenceEqual("punct"u8))
        {
            return c > 0x20 && c < 0x7f && !IsAlpha(c) && !IsDigit(c);
        }

        if (name.SequenceEqual("space"u8))
        {
            return c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\v' or (byte)'\f';
        }

        if (name.SequenceEqual("upper"u8))
        {
            return IsUpper(c) || (caseFold && IsLower(c));
        }

        if (name.SequenceEqual("xdigit"u8))
        {
            return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        }

        return null;
    }

    private static bool IsGlobSpecial(byte c) => c is (byte)'*' or (byte)'?' or (byte)'[' or (byte)'\\';

    private static bool IsUpper(byte c) => c >= 'A' && c <= 'Z';

    private static bool IsLower(byte c) => c >= 'a' && c <= 'z';

    private static bool IsAlpha(byte c) => IsUpper(c) || IsLower(c);

    private static bool IsDigit(byte c) => c >= '0' && c <= '9';

    private static byte ToLower(byte c) => IsUpper(c) ? (byte)(c + 32) : c;
}
