using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;
using Lode.Git.Objects;

namespace Lode.Git.Refs;

/// <summary>One reference as git's ref iteration yields it: full name (as git stores it) and the object it points to.</summary>
public sealed record RefEntry(byte[] Name, string Oid);

/// <summary>
/// Reads the references of a repository in git's "files" format (loose files under <c>refs/</c> and
/// <c>packed-refs</c>) the way git's ref iteration does: loose first, then packed-refs (so a ref being packed
/// meanwhile is seen in one of them), a loose ref winning over its packed copy, sorted by name bytes. Anything this
/// reader does not take on itself — a symbolic ref, a ref file that is not a plain object id, a name git would
/// refuse, a packed-refs line it does not know — makes it return null, and the caller asks git.
/// </summary>
public static class FilesRefReader
{
    /// <summary>
    /// The refs under <c>refs/</c>, except those under <paramref name="hiddenPrefixes"/> (full names without a
    /// trailing slash; a prefix hides itself and everything below it, as git's <c>hideRefs</c> does). Hidden
    /// folders are not read at all.
    /// </summary>
    public static List<RefEntry>? Read(string repositoryPath, ObjectFormat format, IReadOnlyList<string> hiddenPrefixes)
    {
        var refsDirectory = Path.Combine(repositoryPath, "refs");
        if (!Directory.Exists(refsDirectory))
        {
            return null;
        }

        var refs = new Dictionary<string, RefEntry>(StringComparer.Ordinal);
        try
        {
            if (!ReadLoose(refsDirectory, "refs", format, hiddenPrefixes, refs))
            {
                return null;
            }

            if (!ReadPacked(Path.Combine(repositoryPath, "packed-refs"), format, hiddenPrefixes, refs))
            {
                return null;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var sorted = refs.Values.ToList();
        sorted.Sort(static (a, b) => a.Name.AsSpan().SequenceCompareTo(b.Name));
        return sorted;
    }

    /// <summary>Whether <paramref name="name"/> is one of <paramref name="prefixes"/> or below one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool IsHidden(string name, IReadOnlyList<string> prefixes)
    {
        foreach (var prefix in prefixes)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal) && (name.Length == prefix.Length || name[prefix.Length] == '/'))
            {
                return true;
            }
        }

        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool ReadLoose(string directory, string prefix, ObjectFormat format, IReadOnlyList<string> hiddenPrefixes,
        Dictionary<string, RefEntry> refs)
    {
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
        {
            var leaf = entry.Name;

            // git skips these outright: dot files, and the lock files of updates in flight.
            if (leaf.StartsWith('.') || leaf.EndsWith(".lock", StringComparison.Ordinal))
            {
                continue;
            }

            var name = prefix + "/" + leaf;
            if (IsHidden(name, hiddenPrefixes))
            {
                continue;
            }

            if (entry.LinkTarget is not null || leaf.Contains('\uFFFD'))
            {
                // A symlinked ref, or a file name that is not UTF-8.
                return false;
            }

            if (entry is DirectoryInfo)
            {
                if (!ReadLoose(entry.FullName, name, format, hiddenPrefixes, refs))
                {
                    return false;
                }

                continue;
            }

            byte[] content;
            try
            {
                content = File.ReadAllBytes(entry.FullName);
            }
            catch (FileNotFoundException)
            {
                // Deleted or packed since the listing; packed-refs, read next, has it if it still exists.
                continue;
            }

            var nameBytes = Encoding.UTF8.GetBytes(name);
            if (ReferenceValidator.Check(nameBytes) is not null || ParseLooseContent(content, format) is not { } oid)
            {
                return false;
            }

            refs[name] = new RefEntry(nameBytes, oid);
        }

        return true;
    }

    /// <summary>A loose ref's object id: the hex id, then nothing or whitespace (git ignores what follows).</summary>
    private static string? ParseLooseContent(ReadOnlySpan<byte> content, ObjectFormat format)
    {
        if (content.Length < format.HexLength || !IsLowerHex(content[..format.HexLength]))
        {
            return null;
        }

        if (content.Length > format.HexLength && !IsSpace(content[format.HexLength]))
        {
            return null;
        }

        return Encoding.ASCII.GetString(content[..format.HexLength]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool ReadPacked(string path, ObjectFormat format, IReadOnlyList<string> hiddenPrefixes, Dictionary<string, RefEntry> refs)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        }
        catch (FileNotFoundException)
        {
            return true;
        }

        using (stream)
        {
            var lines = new LineReader(stream);
            var first = true;
            while (lines.TryNext(out var line))
            {
                if (first && line.StartsWith("# pack-refs with:"u8))
                {
                    first = false;
                    continue;
                }

                first = false;
                if (line.Length > 0 && line[0] == '^')
                {
                    // The peeled id of the tag above; receive-pack does not advertise it.
                    if (line.Length != format.HexLength + 1 || !IsLowerHex(line[1..]))
                    {
                        return false;
                    }

                    continue;
                }

                if (line.Length < format.HexLength + 2 || line[format.HexLength] != ' ' || !IsLowerHex(line[..format.HexLength]))
                {
                    return false;
                }

                var nameBytes = line[(format.HexLength + 1)..];
                if (!Utf8.IsValid(nameBytes) || ReferenceValidator.Check(nameBytes) is not null)
                {
                    return false;
                }

                var name = Encoding.UTF8.GetString(nameBytes);
                if (IsHidden(name, hiddenPrefixes) || refs.ContainsKey(name))
                {
                    continue;
                }

                refs[name] = new RefEntry(nameBytes.ToArray(), Encoding.ASCII.GetString(line[..format.HexLength]));
            }

            return lines.EndedCleanly;
        }
    }

    private static bool IsLowerHex(ReadOnlySpan<byte> hex) => !hex.ContainsAnyExcept(HexChars.LowerBytes);

    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\v' or (byte)'\f';

    /// <summary>packed-refs line by line through a small buffer: the file can be large, only the kept refs stay.</summary>
    private sealed class LineReader(Stream stream)
    {
        private byte[] buffer = new byte[64 * 1024];
        private int start;
        private int end;
        private bool eof;

        /// <summary>False when the file's last line had no newline: git refuses such a file.</summary>
        public bool EndedCleanly { get; private set; } = true;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public bool TryNext(out ReadOnlySpan<byte> line)
        {
            while (true)
            {
                var newline = buffer.AsSpan(start, end - start).IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    line = buffer.AsSpan(start, newline);
                    start += newline + 1;
                    return true;
                }

                if (eof)
                {
                    EndedCleanly = start == end;
                    line = default;
                    return false;
                }

                if (start > 0)
                {
                    buffer.AsSpan(start, end - start).CopyTo(buffer);
                    end -= start;
                    start = 0;
                }

                if (end == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                var read = stream.Read(buffer, end, buffer.Length - end);
                if (read == 0)
                {
                    eof = true;
                }

                end += read;
            }
        }
    }
}
