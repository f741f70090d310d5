using System.Text;

namespace Lode.Server.Tests.Services.Blob;

/// <summary>LFS pointer blobs for the LFS pointer tests: valid ones, near misses, and ones at the 200-byte edge.</summary>
internal static class LfsPointerTestData
{
    public const string FileOid1 = "91eff75a492a3ed0dfcb544d7f31326bc4014c8551849c192fd1e48d4dd2c897";
    public const string FileOid2 = "f2b0a1e7550e9b718dafc9b525a04879a766de62e4fbdfc46593d47f7ab74636";

    public static byte[] Pointer1 => Encoding.ASCII.GetBytes($"version https://git-lfs.github.com/spec/v1\noid sha256:{FileOid1}\nsize 1575078\n\n");

    public static byte[] Pointer2 => Encoding.ASCII.GetBytes($"version https://git-lfs.github.com/spec/v1\noid sha256:{FileOid2}\nsize 20\n");

    /// <summary>No trailing newline, keys out of order: still a pointer by Gitaly's rules.</summary>
    public static byte[] Unordered => Encoding.ASCII.GetBytes($"version https://git-lfs.github.com/spec/v1\nsize 12345\noid sha256:{new string('1', 64)}");

    /// <summary>Near misses: CRLF line ends, upper-case hex, a short oid, no size, another version URL.</summary>
    public static byte[][] NotPointers =>
    [
        Encoding.ASCII.GetBytes($"version https://git-lfs.github.com/spec/v1\r\noid sha256:{FileOid1}\r\nsize 1\r\n"),
        Encoding.ASCII.GetBytes($"version https://git-lfs.github.com/spec/v1\noid sha256:{FileOid1.ToUpperInvariant()}\nsize 1\n"),
        Encoding.ASCII.GetBytes($"version https://git-lfs.github.com/spec/v1\noid sha256:{FileOid1[..63]}\nsize 1\n"),
        Encoding.ASCII.GetBytes($"version https://git-lfs.github.com/spec/v1\noid sha256:{FileOid1}\n"),
        Encoding.ASCII.GetBytes($"version https://hawser.github.com/spec/v1\noid sha256:{FileOid1}\nsize 1\n"),
        Encoding.ASCII.GetBytes($"version https://git-lfs.github.com/spec/v1\noid sha256:{FileOid1}\nsize 99999999999999999999\n"),
    ];

    /// <summary>A valid pointer padded with an extra key to exactly <paramref name="size"/> bytes.</summary>
    public static byte[] PointerOfSize(int size)
    {
        var head = $"version https://git-lfs.github.com/spec/v1\noid sha256:{FileOid2}\nsize 7\n";
        var padding = size - head.Length - "x-pad \n".Length;
        var pointer = Encoding.ASCII.GetBytes(head + "x-pad " + new string('p', padding) + "\n");
        return pointer.Length == size ? pointer : throw new InvalidOperationException("bad padding");
    }
}
