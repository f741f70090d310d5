using System.Formats.Tar;
using System.Text;
using Lode.Git.Repositories;

namespace Lode.Git.Tests.Repositories;

public sealed class GnuTarWriterTests
{
    [Fact]
    public async Task Write_FilesAndDirectories_ReadBackByTarReader()
    {
        var output = new MemoryStream();
        var writer = new GnuTarWriter(output);
        var when = DateTimeOffset.FromUnixTimeSeconds(1700000000);
        var longName = "refs/heads/" + new string('x', 150);

        await writer.WriteDirectoryAsync("refs/"u8.ToArray(), 0b111_101_101, 1000, 1001, when, CancellationToken.None);
        await writer.WriteFileAsync(Encoding.UTF8.GetBytes(longName), 0b110_100_100, 1000, 1001, when, 5, new MemoryStream("hello"u8.ToArray()),
            CancellationToken.None);
        await writer.WriteFileAsync("empty"u8.ToArray(), 0b110_100_100, 0, 0, when, 0, new MemoryStream(), CancellationToken.None);
        await writer.FinishAsync(CancellationToken.None);

        output.Position = 0;
        using var reader = new TarReader(output);
        var dir = await reader.GetNextEntryAsync();
        var file = await reader.GetNextEntryAsync(copyData: true);
        var empty = await reader.GetNextEntryAsync();
        Assert.Null(await reader.GetNextEntryAsync());
        Assert.Equal(("refs/", TarEntryType.Directory, (UnixFileMode)0b111_101_101), (dir!.Name, dir.EntryType, dir.Mode));
        Assert.Equal((longName, TarEntryType.RegularFile, 5L, 1000, 1001, when), (file!.Name, file.EntryType, file.Length, file.Uid, file.Gid, file.ModificationTime));
        Assert.Equal("hello", new StreamReader(file.DataStream!).ReadToEnd());
        Assert.Equal(("empty", 0L), (empty!.Name, empty.Length));
        Assert.Equal(0, output.Length % 512);
    }

    [Fact]
    public async Task Write_ContentShorterThanSize_Throws()
    {
        var writer = new GnuTarWriter(new MemoryStream());

        await Assert.ThrowsAsync<EndOfStreamException>(() => writer.WriteFileAsync("f"u8.ToArray(), 420, 0, 0, DateTimeOffset.UnixEpoch, 10,
            new MemoryStream("short"u8.ToArray()), CancellationToken.None));
    }

    [Fact]
    public void Header_SizeOf8GiBOrMore_Base256WithValidChecksum()
    {
        const long size = 10L << 30;

        var header = GnuTarWriter.Header("pack"u8, (byte)'0', size, 420, 0, 0, 0);

        Assert.Equal(0x80, header[124]);
        long value = 0;
        for (var i = 125; i < 136; i++)
        {
            value = (value << 8) | header[i];
        }

        Assert.Equal(size, value);
        var stored = Convert.ToInt32(Encoding.ASCII.GetString(header, 148, 6), 8);
        var sum = header.Select((b, i) => i is >= 148 and < 156 ? (int)' ' : b).Sum();
        Assert.Equal(sum, stored);
    }
}
