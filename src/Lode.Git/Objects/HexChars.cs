using System.Buffers;

namespace Lode.Git.Objects;

/// <summary>The hex digit sets, built once; SearchValues vectorise the validity checks.</summary>
internal static class HexChars
{
    public static readonly SearchValues<char> Chars = SearchValues.Create("0123456789abcdefABCDEF");

    public static readonly SearchValues<byte> Bytes = SearchValues.Create("0123456789abcdefABCDEF"u8);
}
