using System.Runtime.CompilerServices;

namespace Lode.Git.Objects;

/// <summary>
/// Whether objects exist in a repository's object directory or its alternates, answered in-process from the packs'
/// <c>.idx</c> files and the loose object files. It only ever says "present" for certain: an object it cannot find
/// may still exist somewhere it does not look, so callers leave that case to git. Opened per use: packs come and go
/// with housekeeping.
/// </summary>
public sealed class ObjectPresence : IDisposable
{
    // git follows alternates of alternates up to this depth (sha1-file.c).
    private const int MaxAlternateDepth = 5;

    private readonly ObjectFormat format;
    private readonly PackIndexCache? cache;
    private readonly List<string> objectDirectories = [];
    private readonly List<PackIndex> packs = [];
    private readonly List<IDisposable> holds = [];

    private ObjectPresence(ObjectFormat format, PackIndexCache? cache)
    {
        this.format = format;
        this.cache = cache;
    }

    /// <summary>
    /// Reads the packs of <paramref name="objectDirectory"/> and of its alternates, through <paramref name="cache"/>
    /// when given (else each index is mapped for this use only). Null when an alternates file uses a form this
    /// reader does not follow (quoted paths) or a pack index is not one it can read.
    /// </summary>
    public static ObjectPresence? Open(string objectDirectory, ObjectFormat format, PackIndexCache? cache = null)
    {
        var presence = new ObjectPresence(format, cache);
        try
        {
            if (presence.Add(Path.GetFullPath(objectDirectory), depth: 0))
            {
                return presence;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        presence.Dispose();
        return null;
    }

    /// <summary>Whether the object whose lower-case hex id is <paramref name="hex"/> is certainly present.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Contains(string hex)
    {
        Span<byte> raw = stackalloc byte[format.RawLength];
        if (hex.Length != format.HexLength || Convert.FromHexString(hex, raw, out _, out _) != System.Buffers.OperationStatus.Done)
        {
            return false;
        }

        foreach (var pack in packs)
        {
            if (pack.Contains(raw))
            {
                return true;
            }
        }

        foreach (var directory in objectDirectories)
        {
            if (File.Exists(Path.Combine(directory, hex[..2], hex[2..])))
            {
                return true;
            }
        }

        return false;
    }

    public void Dispose()
    {
        foreach (var hold in holds)
        {
            hold.Dispose();
        }

        holds.Clear();
        packs.Clear();
    }

    private bool AddPack(string idx)
    {
        if (cache is null)
        {
            if (PackIndex.Open(idx, format.RawLength) is not { } index)
            {
                return false;
            }

            packs.Add(index);
            holds.Add(index);
            return true;
        }

        if (cache.Acquire(idx, format.RawLength) is not { } lease)
        {
            return false;
        }

        packs.Add(lease.Index);
        holds.Add(lease);
        return true;
    }

    private bool Add(string directory, int depth)
    {
        if (objectDirectories.Contains(directory, StringComparer.Ordinal) || !Directory.Exists(directory))
        {
            // git ignores an alternate it has already seen or that does not exist.
            return true;
        }

        objectDirectories.Add(directory);
        var packDirectory = Path.Combine(directory, "pack");
        if (Directory.Exists(packDirectory))
        {
            var listed = new List<string>();
            foreach (var idx in Directory.EnumerateFiles(packDirectory, "pack-*.idx"))
            {
                // An index without its pack is one git ignores as well, or a pack being written or deleted.
                if (!File.Exists(Path.ChangeExtension(idx, ".pack")))
                {
                    continue;
                }

                listed.Add(idx);
                if (!AddPack(idx))
                {
                    return false;
                }
            }

            cache?.Sweep(packDirectory, listed);
        }

        var alternates = Path.Combine(directory, "info", "alternates");
        if (!File.Exists(alternates))
        {
            return true;
        }

        if (depth >= MaxAlternateDepth)
        {
            return false;
        }

        foreach (var line in File.ReadAllLines(alternates))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line[0] == '"')
            {
                return false;
            }

            if (!Add(Path.GetFullPath(line, directory), depth + 1))
            {
                return false;
            }
        }

        return true;
    }
}
