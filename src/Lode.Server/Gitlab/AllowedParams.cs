namespace Lode.Server.Gitlab;

/// <summary>What <c>/allowed</c> is asked about: the repository, the pusher, the changes, and the push quarantine.</summary>
public sealed record AllowedParams
{
    /// <summary>Absolute path of the repository; sent as <c>project</c> (with any <c>'</c> removed, as Gitaly).</summary>
    public required string RepoPath { get; init; }

    public string RelativePath { get; init; } = "";

    /// <summary>The push quarantine's object folder relative to the repository (spec §5.5), or empty.</summary>
    public string GitObjectDirectory { get; init; } = "";

    public IReadOnlyList<string> GitAlternateObjectDirectories { get; init; } = [];

    public required string GlRepository { get; init; }

    /// <summary><c>user-&lt;n&gt;</c>, <c>key-&lt;n&gt;</c> or <c>username-&lt;name&gt;</c>.</summary>
    public required string GlId { get; init; }

    public required string Protocol { get; init; }

    /// <summary>git's ref update lines, as the hook read them.</summary>
    public required string Changes { get; init; }

    /// <summary>The pusher's address, sent as <c>X-Forwarded-For</c> when known.</summary>
    public string RemoteIp { get; init; } = "";
}
