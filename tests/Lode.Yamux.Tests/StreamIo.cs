using System.Security.Cryptography;

namespace Lode.Yamux.Tests;

/// <summary>Deterministic payloads and whole-stream helpers.</summary>
internal static class StreamIo
{
    public static byte[] RandomBytes(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Reads until end of stream (0), returning everything.</summary>
    public static async Task<byte[]> ReadToEndAsync(Stream stream, int bufferSize = 16 * 1024)
    {
        using var all = new MemoryStream();
        var buffer = new byte[bufferSize];
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            all.Write(buffer, 0, n);
        }

        return all.ToArray();
    }

    /// <summary>Reads until end of stream, hashing as it goes; returns (bytes, SHA-256).</summary>
    public static async Task<(long Length, byte[] Hash)> HashToEndAsync(Stream stream, int bufferSize = 64 * 1024)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[bufferSize];
        long total = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            total += n;
        }

        return (total, hash.GetHashAndReset());
    }

    /// <summary>Writes <paramref name="length"/> pseudo-random bytes in random-sized writes; returns their SHA-256.</summary>
    public static async Task<byte[]> WriteRandomAsync(Stream stream, int seed, long length, int maxWrite = 100_000)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var random = new Random(seed);
        var buffer = new byte[maxWrite];
        var left = length;
        while (left > 0)
        {
            var n = (int)Math.Min(left, random.Next(1, maxWrite + 1));
            random.NextBytes(buffer.AsSpan(0, n));
            hash.AppendData(buffer, 0, n);
            await stream.WriteAsync(buffer.AsMemory(0, n));
            left -= n;
        }

        return hash.GetHashAndReset();
    }
}
