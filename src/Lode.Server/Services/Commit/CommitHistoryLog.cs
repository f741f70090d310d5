using Microsoft.Extensions.Logging;

namespace Lode.Server.Services.Commit;

/// <summary>Log lines of the history RPCs whose git failures Gitaly answers with an empty result.</summary>
internal static partial class CommitHistoryLog
{
    [LoggerMessage(EventId = 3401, Level = LogLevel.Information, Message = "ignoring git rev-list error: exit status {exit_code}: {stderr}")]
    public static partial void IgnoringRevListError(ILogger logger, int exit_code, string stderr);

    [LoggerMessage(EventId = 3402, Level = LogLevel.Information, Message = "ignoring git-log error: exit status {exit_code}: {stderr}")]
    public static partial void IgnoringLogError(ILogger logger, int exit_code, string stderr);
}
