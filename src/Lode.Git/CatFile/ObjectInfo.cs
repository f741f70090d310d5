namespace Lode.Git.CatFile;

/// <summary>What <c>cat-file</c> says about an object: its full id, type and size in bytes.</summary>
public sealed record ObjectInfo(string Oid, string Type, long Size);
