namespace Lode.Git.Commands;

/// <summary>
/// The wire protocol version a client asked for (spec §6.1): <c>version=2</c> and <c>version=1</c> go to git as
/// <c>GIT_PROTOCOL</c>; empty means v0; anything else is ignored (and counted as <c>invalid</c>).
/// </summary>
public static class GitProtocol
{
    public const string EnvironmentVariable = "GIT_PROTOCOL";

    public const string Version2 = "version=2";

    public const string Version1 = "version=1";

    /// <summary>The <c>git_protocol</c> label of <c>gitaly_git_protocol_requests_total</c>: v0, v1, v2 or invalid.</summary>
    public static string Label(string? value) => value switch
    {
        null or "" => "v0",
        Version2 => "v2",
        Version1 => "v1",
        _ => "invalid",
    };

    /// <summary>Sets <c>GIT_PROTOCOL</c> when <paramref name="value"/> is a version git understands.</summary>
    public static GitCommandBuilder WithGitProtocol(this GitCommandBuilder command, string? value)
    {
        if (value is Version2 or Version1)
        {
            command.Env(EnvironmentVariable, value);
        }

        return command;
    }
}
