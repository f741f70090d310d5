namespace Lode.Git.Objects;

/// <summary>
/// Recognises armored signatures by their first line, with git's markers (gpg-interface.c): PGP signature or
/// message, X509 (gpgsm's "SIGNED MESSAGE") and SSH.
/// </summary>
public static class SignatureDetector
{
    /// <summary>The type of the signature whose first line is <paramref name="line"/> (without its LF).</summary>
    public static SignatureType FromFirstLine(ReadOnlySpan<byte> line)
    {
        if (line.EndsWith((byte)'\r'))
        {
            line = line[..^1];
        }

        if (line.SequenceEqual("-----BEGIN PGP SIGNATURE-----"u8) || line.SequenceEqual("-----BEGIN PGP MESSAGE-----"u8))
        {
            return SignatureType.Pgp;
        }

        if (line.SequenceEqual("-----BEGIN SIGNED MESSAGE-----"u8))
        {
            return SignatureType.X509;
        }

        return line.SequenceEqual("-----BEGIN SSH SIGNATURE-----"u8) ? SignatureType.Ssh : SignatureType.None;
    }

    /// <summary>The type of an armored signature, judged by its first line.</summary>
    public static SignatureType Detect(ReadOnlySpan<byte> signature)
    {
        var end = signature.IndexOf((byte)'\n');
        return FromFirstLine(end < 0 ? signature : signature[..end]);
    }

    /// <summary>
    /// Where the signature appended to a tag message starts, as git's <c>parse_signed_buffer</c>: the last line that
    /// begins with a known marker. Returns the buffer length when there is none.
    /// </summary>
    public static int FindTrailingSignature(ReadOnlySpan<byte> buffer)
    {
        var match = buffer.Length;
        var position = 0;
        while (position < buffer.Length)
        {
            var rest = buffer[position..];
            var end = rest.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            if (StartsWithMarker(line))
            {
                match = position;
            }

            position += end < 0 ? rest.Length : end + 1;
        }

        return match;
    }

    // git's get_format_by_sig matches a prefix, not the whole line.
    private static bool StartsWithMarker(ReadOnlySpan<byte> line) =>
        line.StartsWith("-----BEGIN PGP SIGNATURE-----"u8) || line.StartsWith("-----BEGIN PGP MESSAGE-----"u8) ||
        line.StartsWith("-----BEGIN SIGNED MESSAGE-----"u8) || line.StartsWith("-----BEGIN SSH SIGNATURE-----"u8);
}
