using System.Globalization;
using System.Text;

namespace Lode.TestKit;

/// <summary>
/// Builds and parses git wire data for transport tests: pkt-lines, fetch and push requests, side-band streams, and
/// packs made and checked with the real git CLI.
/// </summary>
public static class GitWire
{
    public static byte[] Pkt(string line) => Pkt(Encoding.UTF8.GetBytes(line));

    public static byte[] Pkt(byte[] data)
    {
        var packet = new byte[data.Length + 4];
        Encoding.ASCII.GetBytes((data.Length + 4).ToString("x4", CultureInfo.InvariantCulture)).CopyTo(packet, 0);
        data.CopyTo(packet, 4);
        return packet;
    }

    public static readonly byte[] Flush = "0000"u8.ToArray();

    public static readonly byte[] Delim = "0001"u8.ToArray();

    public static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    /// <summary>A protocol v0/v1 fetch request: wants (caps on the first), extra lines (deepen, filter), flush, done.</summary>
    public static byte[] FetchV0(IReadOnlyList<string> wants, string caps, IReadOnlyList<string>? extra = null, IReadOnlyList<string>? haves = null,
        bool done = true)
    {
        var parts = new List<byte[]>();
        for (var i = 0; i < wants.Count; i++)
        {
            parts.Add(Pkt(i == 0 ? $"want {wants[i]} {caps}\n" : $"want {wants[i]}\n"));
        }

        foreach (var line in extra ?? [])
        {
            parts.Add(Pkt(line + "\n"));
        }

        parts.Add(Flush);
        foreach (var have in haves ?? [])
        {
            parts.Add(Pkt($"have {have}\n"));
        }

        if (done)
        {
            parts.Add(Pkt("done\n"));
        }

        return Concat([.. parts]);
    }

    /// <summary>A protocol v2 fetch command asking for <paramref name="wants"/>, ending with done and a flush.</summary>
    public static byte[] FetchV2(IReadOnlyList<string> wants, string objectFormat = "sha1", IReadOnlyList<string>? extra = null)
    {
        var parts = new List<byte[]> { Pkt("command=fetch\n"), Pkt("agent=git/2.39.5\n"), Pkt($"object-format={objectFormat}\n"), Delim, Pkt("ofs-delta\n") };
        foreach (var want in wants)
        {
            parts.Add(Pkt($"want {want}\n"));
        }

        foreach (var line in extra ?? [])
        {
            parts.Add(Pkt(line + "\n"));
        }

        parts.Add(Pkt("done\n"));
        parts.Add(Flush);
        return Concat([.. parts]);
    }

    /// <summary>Reads every pkt-line of <paramref name="data"/> from <paramref name="offset"/>: null for 0000/0001/0002.</summary>
    public static List<byte[]?> ParsePackets(byte[] data, ref int offset, bool stopAtFlush = false)
    {
        var packets = new List<byte[]?>();
        while (offset + 4 <= data.Length)
        {
            var length = int.Parse(Encoding.ASCII.GetString(data, offset, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (length < 4)
            {
                packets.Add(null);
                offset += 4;
                if (stopAtFlush && length == 0)
                {
                    break;
                }

                continue;
            }

            packets.Add(data[(offset + 4)..(offset + length)]);
            offset += length;
        }

        return packets;
    }

    /// <summary>Splits a side-band stream (every packet <c>len band data</c>) into its bands.</summary>
    public static (byte[] Band1, byte[] Band2) Demux(byte[] sideband)
    {
        var offset = 0;
        using var one = new MemoryStream();
        using var two = new MemoryStream();
        foreach (var packet in ParsePackets(sideband, ref offset))
        {
            if (packet is null || packet.Length == 0)
            {
                throw new InvalidDataException("flush in side-band stream");
            }

            (packet[0] switch
            {
                1 => one,
                2 => two,
                _ => throw new InvalidDataException("band " + packet[0]),
            }).Write(packet, 1, packet.Length - 1);
        }

        if (offset != sideband.Length)
        {
            throw new InvalidDataException("trailing bytes after side-band packets");
        }

        return (one.ToArray(), two.ToArray());
    }

    /// <summary>The pack in an upload-pack v0 answer without side-band: after the NAK/ACK lines.</summary>
    public static byte[] PackAfterAcks(byte[] response)
    {
        var at = IndexOf(response, "PACK"u8);
        return at < 0 ? throw new InvalidDataException("no pack in response: " + Encoding.UTF8.GetString(response)) : response[at..];
    }

    /// <summary>Indexes <paramref name="pack"/> into a new repository and returns it, proving the pack is whole.</summary>
    public static async Task<TestRepo> IndexPackAsync(byte[] pack, string objectFormat, string directory)
    {
        var repo = await TestRepo.CreateAsync(Path.Combine(directory, "unpacked-" + Guid.NewGuid().ToString("N") + ".git"), objectFormat);
        await repo.GitBytesAsync(["index-pack", "--stdin", "--fix-thin"], pack);
        return repo;
    }

    /// <summary>A pack of what <paramref name="source"/> has for <paramref name="tip"/> beyond <paramref name="exclude"/>.</summary>
    public static Task<byte[]> PackAsync(TestRepo source, string tip, string? exclude = null) =>
        source.GitBytesAsync(["pack-objects", "--stdout", "--revs", "--thin", "-q"],
            Encoding.ASCII.GetBytes(tip + "\n" + (exclude is null ? "" : "^" + exclude + "\n")));

    /// <summary>A v0 push: one command with capabilities, a flush, and the pack.</summary>
    public static byte[] Push(string oldOid, string newOid, string refName, string caps, byte[] pack) =>
        Concat(Pkt(Encoding.UTF8.GetBytes($"{oldOid} {newOid} {refName}\0{caps}\n")), Flush, pack);

    public static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);

    public static string Text(byte[] data) => Encoding.UTF8.GetString(data);
}
