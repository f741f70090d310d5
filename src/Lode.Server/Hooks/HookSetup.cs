using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Git.Commands;
using Lode.Git.Refs;

namespace Lode.Server.Hooks;

/// <summary>
/// Wires hooks into a git process that updates refs (spec §8.1): <c>core.hooksPath</c> points at the runtime hooks
/// folder and <c>GITALY_HOOKS_PAYLOAD</c> tells the hook who and what this is. Used by receive-pack and by every
/// server-side ref update.
/// </summary>
public sealed class HookSetup(HooksDirectory directory)
{
    public HooksDirectory Directory => directory;

    public GitCommandBuilder Apply(GitCommandBuilder command, Repository repository, string objectFormat,
        HooksUserDetails? user, RequestedHooks requested, ServerCallContext context)
    {
        var payload = new HooksPayload
        {
            RequestedHooks = (int)requested,
            FeatureFlagsWithValue = FeatureFlags(context),
            Repository = JsonFormatter.Default.Format(repository),
            ObjectFormat = objectFormat,
            RuntimeDir = directory.RuntimeDir,
            InternalSocket = directory.InternalSocket,
            InternalSocketToken = directory.InternalSocketToken,
            UserDetails = user,
        };

        return command
            .Config("core.hooksPath", directory.Path)
            .Env(HooksPayload.EnvironmentVariable, payload.ToEnvironmentValue());
    }

    /// <summary>
    /// Options for a server-side ref transaction (UpdateReferences, DeleteRefs, WriteRef, …) that run the
    /// reference-transaction hook, as Gitaly's updates do: that hook is where a cluster votes on the change.
    /// </summary>
    public RefTransactionOptions ForRefTransaction(Repository repository, Lode.Git.Objects.ObjectFormat format, ServerCallContext context, bool noDeref = false) => new()
    {
        NoDeref = noDeref,
        ConfigureCommand = command => Apply(command, repository, format.Name, UserFromMetadata(context), RequestedHooks.ReferenceTransaction, context),
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
