namespace Lode.Server.Gitlab;

/// <summary>The answer of <c>/check</c>.</summary>
public sealed record GitlabCheckInfo(string Version, string Revision, string ApiVersion, bool RedisReachable);
