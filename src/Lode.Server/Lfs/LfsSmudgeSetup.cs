using Lode.Core.Configuration;
using Lode.Git.Commands;
using Lode.Server.Gitlab;

namespace Lode.Server.Lfs;

/// <summary>
/// Makes a <c>git archive</c> replace LFS pointers with their objects (GetArchive's <c>include_lfs_blobs</c>): git runs
/// <c>lode lfs-smudge</c> as the <c>lfs</c> filter for every path the archived tree's attributes mark
/// <c>filter=lfs</c>. Only with <c>[gitlab] url</c>, which is where the objects are.
/// </summary>
/// <param name="lodeCommand">How a shell starts the main executable (<c>'dotnet' '…/lode.dll'</c> or <c>'…/lode'</c>).</param>
public sealed class LfsSmudgeSetup(LodeOptions options, IGitlabClient gitlab, string lodeCommand)
{
    private readonly string? secret = gitlab.IsConfigured ? GitlabClientFactory.ReadSecret(options) : null;

    /// <summary>False (and the command unchanged) when there is no GitLab to fetch objects from.</summary>
    public bool Apply(GitCommandBuilder command, string glRepository)
    {
        if (secret is null)
        {
            return false;
        }

        command
            .Config("filter.lfs.process", lodeCommand + " lfs-smudge")
            .Config("filter.lfs.required", "true")
            .Env(LfsSmudgeSettings.EnvironmentVariable, LfsSmudgeSettings.From(options, secret, glRepository).ToEnvironmentValue());
        return true;
    }
}
