using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Lode.Git.Refs;

/// <summary>
/// Gitaly's repository checksum: the XOR of SHA-1(<c>"&lt;oid&gt; &lt;refname&gt;"</c>) over the lines of
/// <c>git show-ref --head</c> that mention HEAD or a well-known namespace. Replicas are compared with it, so
/// every quirk is kept: the namespace test matches anywhere in the line, the hash is SHA-1 even in SHA-256
/// repositories, and leading zero bytes of the result are dropped (the value is a big integer in Gitaly).
/// </summary>
public sealed partial class RefChecksum
{
    /// <summary>The answer for a repository without references: forty zeros.</summary>
    public const string Zero = "0000000000000000000000000000000000000000";

    private readonly byte[] sum = new byte[SHA1.HashSizeInBytes];

    /// <summary>True while no line was added, or when the lines added cancel out.</summary>
    public bool IsZero => !sum.AsSpan().ContainsAnyExcept((byte)0);

    /// <summary>Adds one <c>show-ref</c> line (without its newline); lines outside the known namespaces are ignored.</summary>
    public void AddLine(ReadOnlySpan<byte> line)
    {
        if (!IsCounted(line))
        {
            return;
        }

        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
#pragma warning disable CA5350 // Not for security: the checksum must equal Gitaly's, which is defined with SHA-1.
        SHA1.HashData(line, hash);
#pragma warning restore CA5350
        for (var i = 0; i < hash.Length; i++)
        {
            sum[i] ^= hash[i];
        }
    }

    /// <summary>The checksum in hex, without leading zero bytes; <see cref="Zero"/> when <see cref="IsZero"/>.</summary>
    public override string ToString()
    {
        var first = sum.AsSpan().IndexOfAnyExcept((byte)0);
        return first < 0 ? Zero : Convert.ToHexStringLower(sum.AsSpan(first));
    }

    private static bool IsCounted(ReadOnlySpan<byte> line)
    {
        // The line is bytes (ref names need not be UTF-8); Latin-1 maps each byte to one char, so the ASCII
        // pattern matches exactly where it would in the bytes.
        var text = System.Text.Encoding.Latin1.GetString(line);
        return CountedRefs().IsMatch(text);
    }

    [GeneratedRegex("HEAD|(refs/(heads|tags|keep-around|merge-requests|environments|notes)/)", RegexOptions.CultureInvariant)]
    private static partial Regex CountedRefs();
}
