using System.Buffers;
using System.Text;

namespace Lode.Git.Repositories;

/// <summary>
/// Writes a tar stream in GNU format with entry names as raw bytes (System.Formats.Tar only takes strings, and git
/// names need not be UTF-8): a name over 100 bytes gets a <c>././@LongLink</c> entry first, a size of 8 GiB or more is
/// written in base-256, as GNU tar does. Entries go straight to the output as they are added.
/// </summary>
public sealed class GnuTarWriter(Stream output)
{
    private const int BlockSize = 512;
    private const int NameLength = 100;

    /// <summary>Largest size the 11 octal digits of the size field hold.</summary>
    private const long MaxOctalSize = (1L << 33) - 1;

    private static readonly byte[] Zeros = new byte[BlockSize * 2];

    /// <summary>A directory entry; <paramref name="name"/> should end with '/'.</summary>
    public Task WriteDirectoryAsync(byte[] name, int mode, int uid, int gid, DateTimeOffset modified, CancellationToken cancellationToken) =>
        WriteHeaderAsync(name, (byte)'5', 0, mode, uid, gid, modified, cancellationToken);

    /// <summary>
    /// A regular file of exactly <paramref name="size"/> bytes read from <paramref name="content"/>; throws
    /// <see cref="EndOfStreamException"/> when the content ends early (the header already promised the size).
    /// </summary>
    public async Task WriteFileAsync(byte[] name, int mode, int uid, int gid, DateTimeOffset modified, long size, Stream content,
        CancellationToken cancellationToken)
    {
        await WriteHeaderAsync(name, (byte)'0', size, mode, uid, gid, modified, cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            var remaining = size;
            while (remaining > 0)
            {
                var read = await content.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken);
                if (read == 0)
                {
                    throw new EndOfStreamException("file shrank while it was archived");
                }

                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                remaining -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        await PadAsync(size, cancellationToken);
    }

    /// <summary>The end-of-archive marker: two zero blocks.</summary>
    public async Task FinishAsync(CancellationToken cancellationToken) => await output.WriteAsync(Zeros, cancellationToken);

    private async Task WriteHeaderAsync(byte[] name, byte type, long size, int mode, int uid, int gid, DateTimeOffset modified,
        CancellationToken cancellationToken)
    {
        if (name.Length > NameLength)
        {
            var longName = new byte[name.Length + 1];
            name.CopyTo(longName, 0);
            await output.WriteAsync(Header("././@LongLink"u8, (byte)'L', longName.Length, 0b110_100_100, 0, 0, 0), cancellationToken);
            await output.WriteAsync(longName, cancellationToken);
            await PadAsync(longName.Length, cancellationToken);
        }

        await output.WriteAsync(Header(name.AsSpan(0, Math.Min(name.Length, NameLength)), type, size, mode, uid, gid,
            modified.ToUnixTimeSeconds()), cancellationToken);
    }

    internal static byte[] Header(ReadOnlySpan<byte> name, byte type, long size, int mode, int uid, int gid, long mtime)
    {
        var header = new byte[BlockSize];
        name.CopyTo(header);
        Octal(header.AsSpan(100, 8), mode & 0xFFF);
        Octal(header.AsSpan(108, 8), uid);
        Octal(header.AsSpan(116, 8), gid);
        if (size <= MaxOctalSize)
        {
            Octal(header.AsSpan(124, 12), size);
        }
        else
        {
            // GNU base-256: the high bit of the first byte set, the value big-endian in the rest.
            header[124] = 0x80;
            for (var i = 135; i > 124; i--, size >>= 8)
            {
                header[i] = (byte)size;
            }
        }

        Octal(header.AsSpan(136, 12), Math.Max(0, mtime));
        header[156] = type;
        "ustar  \0"u8.CopyTo(header.AsSpan(257));

        // The checksum is the byte sum with its own field taken as spaces: six octal digits, NUL, space.
        "        "u8.CopyTo(header.AsSpan(148));
        var sum = 0;
        foreach (var b in header)
        {
            sum += b;
        }

        Octal(header.AsSpan(148, 7), sum);
        header[155] = (byte)' ';
        return header;
    }

    /// <summary>Zero-padded octal digits filling all but the last byte of the field, which is NUL.</summary>
    private static void Octal(Span<byte> field, long value)
    {
        var digits = Convert.ToString(value, 8);
        var width = field.Length - 1;
        if (digits.Length > width)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "value does not fit in a tar header field");
        }

        Encoding.ASCII.GetBytes(digits.PadLeft(width, '0'), field);
        field[width] = 0;
    }

    private async Task PadAsync(long written, CancellationToken cancellationToken)
    {
        var rest = (int)(written % BlockSize);
        if (rest != 0)
        {
            await output.WriteAsync(Zeros.AsMemory(0, BlockSize - rest), cancellationToken);
        }
    }
}
