namespace Lode.Server.Gitlab;

/// <summary>The answer of <c>/allowed</c>.</summary>
public sealed record AllowedResult(bool Status, string Message);
