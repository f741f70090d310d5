namespace Lode.Git.CatFile;

/// <summary>A parsed <c>cat-file</c> header line; <see cref="Info"/> is set only when the object was found.</summary>
internal readonly record struct CatFileHeader(CatFileHeaderStatus Status, ObjectInfo? Info);
