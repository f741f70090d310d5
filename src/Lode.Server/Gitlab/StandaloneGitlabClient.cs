namespace Lode.Server.Gitlab;

/// <summary>
/// The GitLab of a server without <c>[gitlab] url</c>: Lode used on its own. Every push is allowed and counted, nothing
/// is printed; only custom hooks can refuse a push.
/// </summary>
public sealed class StandaloneGitlabClient : IGitlabClient
{
    public static StandaloneGitlabClient Instance { get; } = new();

    public bool IsConfigured => false;

    public Task<AllowedResult> AllowedAsync(AllowedParams parameters, CancellationToken cancellationToken) =>
        Task.FromResult(new AllowedResult(true, ""));

    public Task<bool> PreReceiveAsync(string glRepository, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task<PostReceiveResult> PostReceiveAsync(string glRepository, string glId, string changes, IReadOnlyList<string> pushOptions,
        CancellationToken cancellationToken) => Task.FromResult(new PostReceiveResult(true, []));

    public Task<Stream?> GetLfsObjectAsync(string oid, string glRepository, CancellationToken cancellationToken) => Task.FromResult<Stream?>(null);

    public Task<GitlabCheckInfo> CheckAsync(CancellationToken cancellationToken) =>
        throw new GitlabApiException("no GitLab URL configured: set [gitlab] url");
}
