namespace Lode.Server.Gitlab;

/// <summary>
/// GitLab's internal API as the hooks use it (spec §8.4): access checks, the push reference counter, post-push
/// messages, and the health check of <c>lode check</c>. Failures are <see cref="GitlabApiException"/> whose message is
/// what Gitaly would report.
/// </summary>
public interface IGitlabClient
{
    /// <summary>False for a standalone server (no <c>[gitlab] url</c>): every push is allowed and only custom hooks run.</summary>
    bool IsConfigured { get; }

    /// <summary>POST <c>/allowed</c>: may this user push these changes?</summary>
    Task<AllowedResult> AllowedAsync(AllowedParams parameters, CancellationToken cancellationToken);

    /// <summary>POST <c>/pre_receive</c>: increases the repository's push reference counter; false when GitLab did not.</summary>
    Task<bool> PreReceiveAsync(string glRepository, CancellationToken cancellationToken);

    /// <summary>POST <c>/post_receive</c>: decreases the counter and returns messages for the pusher.</summary>
    Task<PostReceiveResult> PostReceiveAsync(string glRepository, string glId, string changes, IReadOnlyList<string> pushOptions,
        CancellationToken cancellationToken);

    /// <summary>
    /// GET <c>/lfs</c>: the content of an LFS object of the repository, streamed; null when GitLab does not serve it
    /// (any answer but 200), so that the pointer stays. Unreachable is <see cref="GitlabApiException"/>.
    /// </summary>
    Task<Stream?> GetLfsObjectAsync(string oid, string glRepository, CancellationToken cancellationToken);

    /// <summary>GET <c>/check</c>: GitLab's version and whether it reaches Redis.</summary>
    Task<GitlabCheckInfo> CheckAsync(CancellationToken cancellationToken);
}
