using System.Security.Cryptography;
using System.Text;
using Gitaly;
using Lode.Core.Configuration;
using Lode.Core.Errors;
using Lode.Core.Storage;
using Lode.Git.Commands;
using Lode.Git.Hooks;
using Lode.Server.Gitlab;
using Lode.Server.Repositories;
using Microsoft.Extensions.Logging;

namespace Lode.Server.Hooks;

/// <summary>
/// What the receive hooks do (spec §8.4), for HookService and for server-side ref updates alike: GitLab's access check
/// and reference counter, custom server hooks, post-push messages, and transaction votes. A refusal is
/// <see cref="CustomHookFailedException"/> (a custom hook's exit code) or <see cref="HookDeclinedException"/> (a message
/// for the pusher). Without <c>[gitlab] url</c> only custom hooks can refuse a push.
/// </summary>
public sealed partial class HookManager(
    RepositoryResolver resolver,
    IGitlabClient gitlab,
    CustomHookRunner runner,
    ITransactionVoter voter,
    GitCommandFactory git,
    LodeOptions options,
    ILogger<HookManager> logger)
{
    private readonly string? globalHooksDir = GitlabDefaults.CustomHooksDir(options);

    public IGitlabClient Gitlab => gitlab;

    /// <summary>
    /// pre-receive: GitLab's <c>/allowed</c>, then custom pre-receive hooks, then <c>/pre_receive</c>. Only the primary of
    /// a transaction checks; a refusal stops the transaction so that the other voters give up.
    /// </summary>
    public async Task PreReceiveAsync(Repository repository, IReadOnlyList<string> pushOptions, IReadOnlyList<string> environment,
        ReadOnlyMemory<byte> changes, HookOutput output, CancellationToken cancellationToken)
    {
        var payload = HookEnvironment.Payload(environment);
        if (!IsPrimary(payload))
        {
            return;
        }

        try
        {
            await PreReceiveCoreAsync(payload, repository, pushOptions, environment, changes, output, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStopping(logger, "pre-receive", e.Message);
            await StopTransactionAsync(payload, cancellationToken);
            throw;
        }
    }

    /// <summary>post-receive: GitLab's <c>/post_receive</c> (its messages go to stdout), then custom post-receive hooks.</summary>
    public async Task PostReceiveAsync(Repository repository, IReadOnlyList<string> pushOptions, IReadOnlyList<string> environment,
        ReadOnlyMemory<byte> changes, HookOutput output, CancellationToken cancellationToken)
    {
        var payload = HookEnvironment.Payload(environment);
        if (!IsPrimary(payload))
        {
            return;
        }

        try
        {
            await PostReceiveCoreAsync(payload, repository, pushOptions, environment, changes, output, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStopping(logger, "post-receive", e.Message);
            await StopTransactionAsync(payload, cancellationToken);
            throw;
        }
    }

    /// <summary>update: custom update hooks, once per ref, with <c>&lt;ref&gt; &lt;old&gt; &lt;new&gt;</c> as arguments.</summary>
    public async Task UpdateAsync(Repository repository, string reference, string oldValue, string newValue, IReadOnlyList<string> environment,
        HookOutput output, CancellationToken cancellationToken)
    {
        var payload = HookEnvironment.Payload(environment);
        if (!IsPrimary(payload))
        {
            return;
        }

        try
        {
            if (reference.Length == 0)
            {
                throw new HookDeclinedException("hook got no reference");
            }

            var hexLength = payload.ObjectFormat == "sha256" ? 64 : 40;
            if (!IsObjectId(oldValue, hexLength))
            {
                throw new HookDeclinedException($"hook got invalid old value: invalid object ID: \"{oldValue}\"");
            }

            if (!IsObjectId(newValue, hexLength))
            {
                throw new HookDeclinedException($"hook got invalid new value: invalid object ID: \"{newValue}\"");
            }

            if (gitlab.IsConfigured && payload.UserDetails is null)
            {
                throw new HookDeclinedException("payload has no receive hooks info");
            }

            await RunCustomHooksAsync("update", payload, repository, [reference, oldValue, newValue], [], environment, ReadOnlyMemory<byte>.Empty,
                output, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStopping(logger, "update", e.Message);
            await StopTransactionAsync(payload, cancellationToken);
            throw;
        }
    }

    /// <summary>
    /// reference-transaction: votes SHA-1 of the ref updates in the prepared and committed states (spec §5.6). Aborted
    /// transactions and packed-refs force deletions are not voted on; without a transaction the vote goes nowhere.
    /// </summary>
    public async Task ReferenceTransactionAsync(ReferenceTransactionHookRequest.Types.State state, IReadOnlyList<string> environment,
        ReadOnlyMemory<byte> changes, CancellationToken cancellationToken)
    {
        var payload = HookEnvironment.Payload(environment);
        var phase = state switch
        {
            ReferenceTransactionHookRequest.Types.State.Prepared => VotePhase.Prepared,
            ReferenceTransactionHookRequest.Types.State.Committed => VotePhase.Committed,
            _ => VotePhase.Unknown,
        };

        if (phase == VotePhase.Unknown || ReferenceTransactionChanges.IsForceDeletionsOnly(changes.Span))
        {
            return;
        }

#pragma warning disable CA5350 // The vote is SHA-1 of the updates because that is what every voter (and Praefect) compares.
        var vote = SHA1.HashData(changes.Span);
#pragma warning restore CA5350
        if (logger.IsEnabled(LogLevel.Debug))
        {
            var voteHex = Convert.ToHexStringLower(vote);
            LogVote(logger, phase, voteHex, payload.Transaction is not null);
        }
        await voter.VoteAsync(payload, vote, phase, cancellationToken);
    }

    private async Task PreReceiveCoreAsync(HooksPayload payload, Repository repository, IReadOnlyList<string> pushOptions,
        IReadOnlyList<string> environment, ReadOnlyMemory<byte> changes, HookOutput output, CancellationToken cancellationToken)
    {
        var paths = ResolveRepository(repository);

        // git receive-pack runs pre-receive with the pushed objects still in its quarantine; GitLab's checks call back
        // with these folders, relative to the repository (spec §5.5).
        var objectDirectory = "";
        IReadOnlyList<string> alternates = [];
        if (HookEnvironment.Get(environment, "GIT_OBJECT_DIRECTORY") is { Length: > 0 } gitObjectDirectory &&
            HookEnvironment.Get(environment, "GIT_ALTERNATE_OBJECT_DIRECTORIES") is { Length: > 0 } gitAlternates)
        {
            (objectDirectory, alternates) = RelativeObjectDirectories(paths.FullPath, gitObjectDirectory, gitAlternates);
        }

        if (changes.IsEmpty)
        {
            throw new HookDeclinedException("hook got no reference updates");
        }

        if (gitlab.IsConfigured)
        {
            ValidateReceiveFacts(payload, repository, requireProtocol: true);
            AllowedResult allowed;
            try
            {
                allowed = await gitlab.AllowedAsync(new AllowedParams
                {
                    RepoPath = paths.FullPath,
                    RelativePath = repository.RelativePath,
                    GitObjectDirectory = objectDirectory,
                    GitAlternateObjectDirectories = alternates,
                    GlRepository = repository.GlRepository,
                    GlId = payload.UserDetails!.UserId,
                    Protocol = payload.UserDetails.Protocol,
                    Changes = Encoding.UTF8.GetString(changes.Span),
                    RemoteIp = payload.UserDetails.RemoteIp,
                }, cancellationToken);
            }
            catch (GitlabApiException e)
            {
                // As Gitaly: whatever went wrong is shown to the pusher as GitLab's word.
                throw new HookDeclinedException("GitLab: " + e.Message, e);
            }

            if (!allowed.Status)
            {
                throw new HookDeclinedException("GitLab: " + allowed.Message);
            }
        }

        await RunCustomHooksAsync("pre-receive", payload, repository, [], pushOptions, environment, changes, output, cancellationToken);

        bool increased;
        try
        {
            increased = await gitlab.PreReceiveAsync(repository.GlRepository, cancellationToken);
        }
        catch (GitlabApiException e)
        {
            throw new HookDeclinedException("calling pre_receive endpoint: " + e.Message, e);
        }

        if (!increased)
        {
            throw new HookDeclinedException("");
        }
    }

    private async Task PostReceiveCoreAsync(HooksPayload payload, Repository repository, IReadOnlyList<string> pushOptions,
        IReadOnlyList<string> environment, ReadOnlyMemory<byte> changes, HookOutput output, CancellationToken cancellationToken)
    {
        if (changes.IsEmpty)
        {
            throw new HookDeclinedException("hook got no reference updates");
        }

        if (gitlab.IsConfigured)
        {
            ValidateReceiveFacts(payload, repository, requireProtocol: false);
        }

        PostReceiveResult result;
        try
        {
            result = await gitlab.PostReceiveAsync(repository.GlRepository, payload.UserDetails?.UserId ?? "", Encoding.UTF8.GetString(changes.Span),
                pushOptions, cancellationToken);
        }
        catch (GitlabApiException e)
        {
            throw new HookDeclinedException("GitLab: " + e.Message, e);
        }

        var messages = PostReceiveMessages.Format(result.Messages);
        if (messages.Length > 0)
        {
            await output.Stdout(messages);
        }

        if (!result.ReferenceCounterDecreased)
        {
            throw new HookDeclinedException("");
        }

        await RunCustomHooksAsync("post-receive", payload, repository, [], pushOptions, environment, changes, output, cancellationToken);
    }

    /// <summary>Runs the custom hooks named <paramref name="hookName"/>; a failing one becomes <see cref="CustomHookFailedException"/>.</summary>
    public async Task RunCustomHooksAsync(string hookName, HooksPayload payload, Repository repository, IReadOnlyList<string> arguments,
        IReadOnlyList<string> pushOptions, IReadOnlyList<string> environment, ReadOnlyMemory<byte> stdin, HookOutput output,
        CancellationToken cancellationToken)
    {
        var paths = ResolveRepository(repository);
        var hooks = CustomHooks.Find(paths.FullPath, hookName, globalHooksDir);
        if (hooks.Count == 0)
        {
            return;
        }

        var payloadRepository = HookEnvironment.PayloadRepository(payload);
        var payloadPath = payloadRepository.StorageName.Length > 0 ? ResolveRepository(payloadRepository).FullPath : paths.FullPath;
        var customEnvironment = HookEnvironment.ForCustomHooks(environment, payload, payloadRepository, payloadPath, pushOptions, git.GitPath);
        var failure = await runner.RunAsync(hooks, paths.FullPath, arguments, customEnvironment, stdin, output.Stdout, output.Stderr, cancellationToken);
        if (failure is not null)
        {
            throw new CustomHookFailedException(failure);
        }
    }

    private static void ValidateReceiveFacts(HooksPayload payload, Repository repository, bool requireProtocol)
    {
        if (repository.GlRepository.Length == 0)
        {
            throw new HookDeclinedException("repository not set");
        }

        if (payload.UserDetails is null)
        {
            throw new HookDeclinedException("payload has no receive hooks info");
        }

        if (payload.UserDetails.UserId.Length == 0)
        {
            throw new HookDeclinedException("user ID not set");
        }

        if (requireProtocol && payload.UserDetails.Protocol.Length == 0)
        {
            throw new HookDeclinedException("protocol not set");
        }
    }

    private RepositoryPaths ResolveRepository(Repository repository)
    {
        try
        {
            return resolver.Resolve(new Repository { StorageName = repository.StorageName, RelativePath = repository.RelativePath });
        }
        catch (LodeException e)
        {
            throw new HookDeclinedException("getting repo path: " + e.Message, e);
        }
    }

    /// <summary>git's absolute quarantine folders made relative to the repository with its symlinks resolved, as Gitaly.</summary>
    internal static (string ObjectDirectory, IReadOnlyList<string> Alternates) RelativeObjectDirectories(string repositoryPath,
        string objectDirectory, string alternates)
    {
        var real = RealPath(repositoryPath);
        var relativeAlternates = new List<string>();
        foreach (var alternate in alternates.Split(':'))
        {
            relativeAlternates.Add(Path.GetRelativePath(real, alternate));
        }

        return (Path.GetRelativePath(real, objectDirectory), relativeAlternates);
    }

    private static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var current = "/";
        foreach (var part in full.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            if (new DirectoryInfo(current).ResolveLinkTarget(returnFinalTarget: true) is { } target)
            {
                current = target.FullName;
            }
        }

        return current;
    }

    private static bool IsObjectId(string value, int hexLength)
    {
        if (value.Length != hexLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsPrimary(HooksPayload payload) => payload.Transaction is null || payload.Transaction.Primary;

    private async Task StopTransactionAsync(HooksPayload payload, CancellationToken cancellationToken)
    {
        try
        {
            await voter.StopAsync(payload, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStopFailed(logger, e.Message);
        }
    }

    [LoggerMessage(EventId = 4201, Level = LogLevel.Information, Message = "stopping transaction because {hook} hook failed: {error}")]
    private static partial void LogStopping(ILogger logger, string hook, string error);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Warning, Message = "failed stopping transaction: {error}")]
    private static partial void LogStopFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Debug, Message = "reference-transaction vote {phase} {vote} (transaction: {inTransaction})")]
    private static partial void LogVote(ILogger logger, VotePhase phase, string vote, bool inTransaction);
}
