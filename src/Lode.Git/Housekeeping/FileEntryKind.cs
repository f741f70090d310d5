namespace Lode.Git.Housekeeping;

/// <summary>What a <see cref="FileEntry"/> is. Symbolic links are reported as such and never followed.</summary>
internal enum FileEntryKind
{
    File,
    Directory,
    SymbolicLink,
}
