using Lode.Core.Errors;

namespace Lode.Git.Commands;

/// <summary>
/// A git child exited non-zero. The stderr tail goes in the log metadata, never on the wire: it can hold paths
/// of the server's disk layout.
/// </summary>
public sealed class GitCommandException : LodeException
{
    public GitCommandException(string subcommand, int exitCode, string stderr, ErrorCode code = ErrorCode.Internal)
        : base(code, $"git {subcommand}: exit status {exitCode}")
    {
        Subcommand = subcommand;
        ExitCode = exitCode;
        Stderr = stderr;
        With("command.name", subcommand);
        With("command.exit_code", exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
        With("stderr", stderr);
    }

    public string Subcommand { get; }

    public int ExitCode { get; }

    public string Stderr { get; }
}
