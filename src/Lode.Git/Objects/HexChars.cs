using System.Buffers;

namespace Lode.Git.Objects;

/// <summary>The hex digit sets, built once; SearchValues vectorise the validity checks.</summary>
internal static class HexChars
{
    public static readonly SearchValues<char> Chars = SearchValues.Create("0123456789abcdefABCDEF");

    public static readonly SearchValues<byte> Bytes = SearchValues.Create("0123456789abcdefABCDEF"u8);

    /// <summary>The digits git writes: ref files, packed-refs and the protocol use lower case.</summary>
    public static readonly SearchValues<char> LowerChars = SearchValues.Create("0123456789abcdef");

    /// <inheritdoc cref="LowerChars"/>
    public static readonly SearchValues<byte> LowerBytes = SearchValues.Create("0123456789abcdef"u8);
}
