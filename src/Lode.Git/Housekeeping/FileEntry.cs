namespace Lode.Git.Housekeeping;

/// <summary>One directory entry seen by <see cref="FileWalk"/>; length and time are only set for regular files.</summary>
internal readonly record struct FileEntry(string Name, FileEntryKind Kind, long Length, DateTime LastWriteTimeUtc);
