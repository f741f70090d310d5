namespace Lode.Core.Storage;

/// <summary>Facts about a storage folder as the admin pages show them: can we read it, write it, what filesystem, how full.</summary>
public static class StorageProbe
{
    /// <summary>The probe file Gitaly writes to test writeability (spec §1.4).</summary>
    public const string WriteProbeName = "+testWrite";

    public static bool IsReadable(string path)
    {
        try
        {
            using var entries = Directory.EnumerateFileSystemEntries(path).GetEnumerator();
            entries.MoveNext();
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static bool IsWriteable(string path)
    {
        var probe = Path.Combine(path, WriteProbeName);
        try
        {
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The filesystem type of the mount holding <paramref name="path"/> ("ext4", "xfs", …), from /proc/self/mountinfo.</summary>
    public static string FilesystemType(string path)
    {
        const string mountInfo = "/proc/self/mountinfo";
        if (!File.Exists(mountInfo))
        {
            return "unknown";
        }

        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is IOException or ArgumentException)
        {
            return "unknown";
        }

        var best = "";
        var type = "unknown";
        foreach (var line in File.ReadLines(mountInfo))
        {
            // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
            var fields = line.Split(' ');
            var separator = Array.IndexOf(fields, "-");
            if (fields.Length < 5 || separator < 0 || separator + 1 >= fields.Length)
            {
                continue;
            }

            var mountPoint = fields[4].Replace("\\040", " ", StringComparison.Ordinal);
            var covers = mountPoint == "/" || full == mountPoint || full.StartsWith(mountPoint + "/", StringComparison.Ordinal);
            if (covers && mountPoint.Length >= best.Length)
            {
                best = mountPoint;
                type = fields[separator + 1];
            }
        }

        return type;
    }

    /// <summary>Bytes available to unprivileged users and bytes used, of the filesystem holding <paramref name="path"/>.</summary>
    public static (long Available, long Used) DiskUsage(string path)
    {
        var drive = new DriveInfo(path);
        return (drive.AvailableFreeSpace, drive.TotalSize - drive.TotalFreeSpace);
    }
}
