namespace Lode.Git.CatFile;

/// <summary>
/// An object named by an enumeration (<see cref="ObjectWalk"/>): its id, the path rev-list first saw it at (null when
/// it was named directly or enumerated from the object database), and, when the enumeration already knows them, its
/// type and size.
/// </summary>
public sealed record ListedObject(string Oid, byte[]? Name, string? Type = null, long Size = 0);
