namespace Lode.Git.Repositories;

/// <summary>A repository snapshot could not be completed; the message says which file failed and why.</summary>
public sealed class SnapshotException(string message, Exception innerException) : Exception(message, innerException);
