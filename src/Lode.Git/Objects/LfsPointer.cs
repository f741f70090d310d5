namespace Lode.Git.Objects;

/// <summary>
/// Recognises Git LFS pointer blobs with Gitaly's rules: the blob starts with
/// <c>version https://git-lfs.github.com/spec</c>, and somewhere holds a line <c>oid sha256:&lt;64 lower-case hex&gt;</c>
/// and a line <c>size &lt;digits&gt;</c>. Lines end at LF only, so a pointer written with CRLF is not one (as in Gitaly,
/// whose multi-line regular expressions anchor at LF). The first matching line of each kind counts.
/// </summary>
public static class LfsPointer
{
    /// <summary>
    /// Blobs larger than this cannot be pointers (the LFS spec keeps them under 200 bytes); Gitaly filters on it before
    /// reading any content.
    /// </summary>
    public const int MaxSize = 200;

    private static ReadOnlySpan<byte> VersionPrefix => "version https://git-lfs.github.com/spec"u8;

    private static ReadOnlySpan<byte> OidPrefix => "oid sha256:"u8;

    private static ReadOnlySpan<byte> SizePrefix => "size "u8;

    /// <summary>
    /// True when <paramref name="data"/> is a pointer; <paramref name="fileOid"/> is then the large file's SHA-256 in hex
    /// (a slice of <paramref name="data"/>) and <paramref name="fileSize"/> its size.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out ReadOnlySpan<byte> fileOid, out long fileSize)
    {
        fileOid = default;
        fileSize = 0;
        if (!data.StartsWith(VersionPrefix))
        {
            return false;
        }

        var oidFound = false;
        ReadOnlySpan<byte> sizeDigits = default;
        var sizeFound = false;
        var rest = data;
        while (true)
        {
            var end = rest.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            if (!oidFound && IsOidLine(line))
            {
                fileOid = line[OidPrefix.Length..];
                oidFound = true;
            }
            else if (!sizeFound && IsSizeLine(line))
            {
                sizeDigits = line[SizePrefix.Length..];
                sizeFound = true;
            }

            if (end < 0 || (oidFound && sizeFound))
            {
                break;
            }

            rest = rest[(end + 1)..];
        }

        if (!oidFound || !sizeFound || !TryParseSize(sizeDigits, out fileSize))
        {
            fileOid = default;
            fileSize = 0;
            return false;
        }

        return true;
    }

    private static bool IsOidLine(ReadOnlySpan<byte> line) =>
        line.Length == OidPrefix.Length + 64 && line.StartsWith(OidPrefix) && IsLowerHex(line[OidPrefix.Length..]);

    private static bool IsLowerHex(ReadOnlySpan<byte> hex)
    {
        foreach (var c in hex)
        {
            if (c is not ((>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f')))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsSizeLine(ReadOnlySpan<byte> line) =>
        line.Length > SizePrefix.Length && line.StartsWith(SizePrefix) &&
        !line[SizePrefix.Length..].ContainsAnyExceptInRange((byte)'0', (byte)'9');

    /// <summary>Go's <c>strconv.ParseInt(s, 10, 64)</c> on digits only: false on overflow.</summary>
    private static bool TryParseSize(ReadOnlySpan<byte> digits, out long value)
    {
        value = 0;
        foreach (var digit in digits)
        {
            var d = digit - '0';
            if (value > (long.MaxValue - d) / 10)
            {
                value = 0;
                return false;
            }

            value = (value * 10) + d;
        }

        return true;
    }
}
