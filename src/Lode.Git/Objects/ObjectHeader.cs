namespace Lode.Git.Objects;

/// <summary>A header of a commit or tag that the parser has no field for (mergetag, a second signature, …).</summary>
/// <param name="Key">The header name, e.g. <c>mergetag</c>.</param>
/// <param name="Value">The value with continuation lines unfolded (joined by LF, without the trailing LF).</param>
public sealed record ObjectHeader(byte[] Key, byte[] Value);
