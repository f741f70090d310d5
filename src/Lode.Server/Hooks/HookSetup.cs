using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Git.Commands;

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
