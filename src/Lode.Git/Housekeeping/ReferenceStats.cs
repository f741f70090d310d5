namespace Lode.Git.Housekeeping;

/// <summary>How the repository's references are stored.</summary>
/// <param name="LooseCount">Files below <c>refs/</c>; 0 for reftable, whose <c>refs/</c> only holds a stub.</param>
/// <param name="PackedSize">Bytes of <c>packed-refs</c>; 0 when there is none (or for reftable).</param>
/// <param name="Backend">The reference backend.</param>
internal sealed record ReferenceStats(ulong LooseCount, ulong PackedSize, ReferenceBackend Backend)
{
    /// <summary>Reads the reference storage of the repository at <paramref name="repositoryPath"/>.</summary>
    public static ReferenceStats Read(string repositoryPath, CancellationToken cancellationToken)
    {
        if (DetectBackend(repositoryPath) == ReferenceBackend.Reftable)
        {
            // git creates refs/heads as a plain file in reftable repositories so that older gits refuse them;
            // counting it as a loose reference would be wrong, so Gitaly reports no loose references at all.
            return new ReferenceStats(0, 0, ReferenceBackend.Reftable);
        }

        ulong loose = 0;
        foreach (var entry in FileWalk.Entries(Path.Combine(repositoryPath, "refs"), recursive: true))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (entry.Kind != FileEntryKind.Directory)
            {
                loose++;
            }
        }

        var packedRefs = new FileInfo(Path.Combine(repositoryPath, "packed-refs"));
        var packedSize = packedRefs.Exists ? (ulong)packedRefs.Length : 0;
        return new ReferenceStats(loose, packedSize, ReferenceBackend.Files);
    }

    /// <summary>
    /// Reftable when the config sets <c>extensions.refStorage = reftable</c> or a <c>reftable/</c> directory exists
    /// (git refuses to open such a repository with the files backend anyway).
    /// </summary>
    internal static ReferenceBackend DetectBackend(string repositoryPath)
    {
        if (Directory.Exists(Path.Combine(repositoryPath, "reftable")))
        {
            return ReferenceBackend.Reftable;
        }

        string[] lines;
        try
        {
            lines = File.ReadAllLines(Path.Combine(repositoryPath, "config"));
        }
        catch (Exception e) when (FileWalk.IsGone(e))
        {
            return ReferenceBackend.Files;
        }

        return string.Equals(GitConfigFile.Find(lines, "extensions", "refstorage"), "reftable", StringComparison.OrdinalIgnoreCase)
            ? ReferenceBackend.Reftable
            : ReferenceBackend.Files;
    }
}
