using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Core.Configuration;
using Lode.Core.Storage;
using Lode.Git.Commands;
using Lode.Git.Hooks;
using Lode.Git.Refs;
using Lode.Server.Gitlab;

namespace Lode.Server.Hooks;

/// <summary>
/// Wires hooks into a git process that updates refs (spec §8.1): <c>core.hooksPath</c> points at the runtime hooks
/// folder and <c>GITALY_HOOKS_PAYLOAD</c> tells the hook who and what this is. Used by receive-pack and by every
/// server-side ref update.
/// </summary>
/// <remarks>
/// The payload names every hook requested, as Gitaly's does, but <c>core.hooksPath</c> points at a folder holding only
/// the hooks that have work to do for this repository and request (<see cref="HooksWithWork"/>): each hook is a
/// process start and a call back to the server, and a push that runs none of them pays for none.
/// </remarks>
public sealed class HookSetup(HooksDirectory directory, IGitlabClient gitlab, LodeOptions options)
{
    private readonly string? globalHooksDir = GitlabDefaults.CustomHooksDir(options);

    public HooksDirectory Directory => directory;

    public GitCommandBuilder Apply(GitCommandBuilder command, RepositoryPaths paths, Repository repository, string objectFormat,
        HooksUserDetails? user, RequestedHooks requested, ServerCallContext context)
    {
        var payload = Payload(repository, objectFormat, user, requested, context);
        return command
            .Config("core.hooksPath", HookInstaller.SubsetPath(directory.Path, HooksWithWork(paths, requested, payload.Transaction is not null)))
            .Env(HooksPayload.EnvironmentVariable, payload.ToEnvironmentValue());
    }

    /// <summary>What <c>GITALY_HOOKS_PAYLOAD</c> carries for a git command run for this call.</summary>
    public HooksPayload Payload(Repository repository, string objectFormat, HooksUserDetails? user, RequestedHooks requested,
        ServerCallContext context) => new()
    {
        RequestedHooks = (int)requested,
        FeatureFlagsWithValue = FeatureFlags(context),
        Repository = JsonFormatter.Default.Format(repository),
        ObjectFormat = objectFormat,
        RuntimeDir = directory.RuntimeDir,
        InternalSocket = directory.InternalSocket,
        InternalSocketToken = directory.InternalSocketToken,
        Transaction = TransactionMetadata.FromContext(context),
        UserDetails = user,
    };

    /// <summary>
    /// Whether post-receive would only call GitLab for this push: GitLab is configured, there is no custom post-receive
    /// hook, and no cluster transaction to vote in. The server can then do that itself after git exits (see
    /// <c>TransportRunner.ReceivePackAsync</c>) instead of git starting the hooks executable.
    /// </summary>
    public bool PostReceiveOnlyCallsGitlab(RepositoryPaths paths, ServerCallContext context) =>
        gitlab.IsConfigured && TransactionMetadata.FromContext(context) is null && !HasCustomHooks(paths, "post-receive");

    /// <summary>
    /// upload-pack's pack-objects hook (spec §7.5), when the server runs one: git then starts the hooks executable in
    /// place of <c>git pack-objects</c>, and it asks the server for the pack.
    /// </summary>
    public GitCommandBuilder ApplyPackObjectsHook(GitCommandBuilder command, RepositoryPaths paths, string objectFormat)
    {
        if (directory.PackObjectsHookCommand is not { } hook)
        {
            return command;
        }

        var payload = new HooksPayload
        {
            RequestedHooks = (int)RequestedHooks.PackObjects,
            Repository = JsonFormatter.Default.Format(new Repository { StorageName = paths.StorageName, RelativePath = paths.RelativePath }),
            ObjectFormat = objectFormat,
            RuntimeDir = directory.RuntimeDir,
            InternalSocket = directory.InternalSocket,
            InternalSocketToken = directory.InternalSocketToken,
        };

        return command
            .Config("uploadpack.packObjectsHook", hook)
            .Env(HooksPayload.EnvironmentVariable, payload.ToEnvironmentValue());
    }

    /// <summary>
    /// Which of the <paramref name="requested"/> hooks would do anything (spec §5.6, §8.4): in a transaction every one
    /// votes or synchronises; outside one, reference-transaction has nobody to vote with, update only runs custom update
    /// hooks, and pre- and post-receive call GitLab (when configured) and run custom hooks. Custom hooks are looked up
    /// now, once per git command.
    /// </summary>
    public RequestedHooks HooksWithWork(RepositoryPaths paths, RequestedHooks requested, bool inTransaction)
    {
        var wanted = requested == RequestedHooks.All ? HookInstaller.AllHooks : requested & HookInstaller.AllHooks;
        if (inTransaction)
        {
            return wanted;
        }

        var withWork = (RequestedHooks)0;
        if (wanted.HasFlag(RequestedHooks.PreReceive) && (gitlab.IsConfigured || HasCustomHooks(paths, "pre-receive")))
        {
            withWork |= RequestedHooks.PreReceive;
        }

        if (wanted.HasFlag(RequestedHooks.PostReceive) && (gitlab.IsConfigured || HasCustomHooks(paths, "post-receive")))
        {
            withWork |= RequestedHooks.PostReceive;
        }

        if (wanted.HasFlag(RequestedHooks.Update) && HasCustomHooks(paths, "update"))
        {
            withWork |= RequestedHooks.Update;
        }

        return withWork;
    }

    private bool HasCustomHooks(RepositoryPaths paths, string hookName) => CustomHooks.Find(paths.FullPath, hookName, globalHooksDir).Count > 0;

    /// <summary>
    /// Options for a server-side ref transaction (UpdateReferences, DeleteRefs, WriteRef, …) that run the
    /// reference-transaction hook, as Gitaly's updates do: that hook is where a cluster votes on the change.
    /// </summary>
    public RefTransactionOptions ForRefTransaction(RepositoryPaths paths, Repository repository, Lode.Git.Objects.ObjectFormat format,
        ServerCallContext context, bool noDeref = false) => new()
    {
        NoDeref = noDeref,
        ConfigureCommand = command => Apply(command, paths, repository, format.Name, UserFromMetadata(context), RequestedHooks.ReferenceTransaction, context),
    };

    /// <summary>The user Rails names in the call's metadata, if any (RPCs without a <c>User</c> message).</summary>
    public static HooksUserDetails? UserFromMetadata(ServerCallContext context)
    {
        var headers = context.RequestHeaders;
        var userId = headers.GetValue("user_id");
        var username = headers.GetValue("username");
        return userId is null && username is null ? null : new HooksUserDetails
        {
            UserId = userId ?? "",
            Username = username ?? "",
            RemoteIp = headers.GetValue("remote_ip") ?? "",
        };
    }

    private static List<FeatureFlagValue> FeatureFlags(ServerCallContext context)
    {
        var flags = new List<FeatureFlagValue>();
        foreach (var entry in context.RequestHeaders)
        {
            if (entry.Key.StartsWith("gitaly-feature-", StringComparison.Ordinal) && !entry.IsBinary)
            {
                flags.Add(new FeatureFlagValue
                {
                    Flag = new FeatureFlag { Name = entry.Key["gitaly-feature-".Length..].Replace('-', '_') },
                    Enabled = entry.Value == "true",
                });
            }
        }

        return flags;
    }
}
