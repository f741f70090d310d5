using Lode.Git.Housekeeping;
using Lode.TestKit;

namespace Lode.Git.Tests.Housekeeping;

public sealed class FileWalkTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Entries_FilesDeletedDuringWalk_AreSkipped()
    {
        var root = Directory.CreateDirectory(temp.Combine("root")).FullName;
        for (var i = 0; i < 50; i++)
        {
            File.WriteAllBytes(Path.Combine(root, "f" + i), new byte[i + 1]);
        }

        var seen = new List<FileEntry>();
        foreach (var entry in FileWalk.Entries(root, recursive: false))
        {
            seen.Add(entry);
            if (seen.Count == 1)
            {
                // readdir has already buffered the names; the files are gone by the time they are stat'ed.
                foreach (var file in Directory.GetFiles(root))
                {
                    File.Delete(file);
                }
            }
        }

        var only = Assert.Single(seen);
        Assert.Equal(FileEntryKind.File, only.Kind);
        Assert.Equal(int.Parse(only.Name[1..], System.Globalization.CultureInfo.InvariantCulture) + 1, only.Length);
    }

    [Fact]
    public void Entries_MissingDirectory_YieldsNothing()
    {
        Assert.Empty(FileWalk.Entries(temp.Combine("nope"), recursive: true));
    }

    [Fact]
    public void Entries_PathIsAFile_YieldsNothing()
    {
        var file = temp.Combine("file");
        File.WriteAllText(file, "x");

        Assert.Empty(FileWalk.Entries(file, recursive: false));
    }

    [Fact]
    public void Entries_SubdirectoryDeletedDuringWalk_DoesNotThrow()
    {
        var root = Directory.CreateDirectory(temp.Combine("root")).FullName;
        for (var i = 0; i < 20; i++)
        {
            var sub = Directory.CreateDirectory(Path.Combine(root, "d" + i)).FullName;
            File.WriteAllText(Path.Combine(sub, "f"), "x");
        }

        var count = 0;
        foreach (var entry in FileWalk.Entries(root, recursive: true))
        {
            if (count++ == 0)
            {
                Directory.Delete(root, recursive: true);
            }
        }

        Assert.True(count >= 1);
    }
}
