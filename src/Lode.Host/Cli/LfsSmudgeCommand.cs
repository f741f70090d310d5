using Lode.Server.Gitlab;
using Lode.Server.Hosting;
using Lode.Server.Lfs;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lode.Host.Cli;

/// <summary>
/// <c>lode lfs-smudge</c>: the filter process git runs (<c>filter.lfs.process</c>) while GetArchive includes LFS objects,
/// as Gitaly's gitaly-lfs-smudge. It talks git's long-running filter protocol on stdin/stdout; its settings come from
/// <c>LODE_LFS_SMUDGE_CONFIG</c>, which the server sets. Not meant to be run by hand.
/// </summary>
internal static class LfsSmudgeCommand
{
    public static async Task<int> RunAsync()
    {
        try
        {
            var value = Environment.GetEnvironmentVariable(LfsSmudgeSettings.EnvironmentVariable)
                ?? throw new InvalidOperationException(LfsSmudgeSettings.EnvironmentVariable + " is not set");
            var settings = LfsSmudgeSettings.FromEnvironmentValue(value);
            var gitlab = GitlabClientFactory.Create(settings.ToOptions(), ServerIdentity.ServerVersion, null, NullLogger.Instance, TimeProvider.System);
            try
            {
                await using var stdin = Console.OpenStandardInput();
                await using var stdout = Console.OpenStandardOutput();
                await new LfsSmudgeFilter(gitlab, settings.GlRepository).RunAsync(stdin, stdout, CancellationToken.None);
                return 0;
            }
            finally
            {
                (gitlab as IDisposable)?.Dispose();
            }
        }
        catch (Exception e)
        {
            // git reports a failed required filter itself; this says why.
            await Console.Error.WriteLineAsync("lode lfs-smudge: " + e.Message);
            return 1;
        }
    }
}
