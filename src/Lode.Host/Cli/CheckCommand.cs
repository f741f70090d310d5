using System.CommandLine;
using Lode.Core.Configuration;
using Lode.Server.Gitlab;
using Lode.Server.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lode.Host.Cli;

/// <summary>
/// <c>lode check --config FILE</c> (or <c>lode check FILE</c>, as <c>gitaly check</c>): calls GitLab's
/// <c>/api/v4/internal/check</c> with the config's URL and secret and prints what GitLab says; exit 1 on failure.
/// </summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var configOption = new Option<FileInfo?>("--config", "-c") { Description = "Gitaly-compatible config.toml" };
        var configArgument = new Argument<FileInfo?>("config") { Description = "config.toml (as in `gitaly check <config>`)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("check", "Verify that GitLab's internal API is reachable with this config") { configOption, configArgument };
        command.SetAction((parse, cancellationToken) =>
            RunAsync(parse.GetValue(configOption) ?? parse.GetValue(configArgument), Console.Out, Console.Error, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(FileInfo? configFile, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (configFile is null)
        {
            await error.WriteLineAsync("error: invalid argument(s): a config file is required");
            return 2;
        }

        var loaded = ConfigLoader.LoadFile(configFile.FullName);
        var errors = new List<ConfigError>(loaded.Errors);
        if (errors.Count == 0)
        {
            errors.AddRange(ConfigValidator.Validate(loaded.Options));
        }

        if (errors.Count > 0)
        {
            foreach (var problem in errors)
            {
                await error.WriteLineAsync($"loading configuration \"{configFile.FullName}\": {problem}");
            }

            return 1;
        }

        await output.WriteAsync("Checking GitLab API access: ");
        GitlabCheckInfo info;
        try
        {
            var client = GitlabClientFactory.Create(loaded.Options, ServerIdentity.ServerVersion, metrics: null, NullLogger.Instance, TimeProvider.System);
            try
            {
                info = await client.CheckAsync(cancellationToken);
            }
            finally
            {
                (client as IDisposable)?.Dispose();
            }
        }
        catch (Exception e) when (e is GitlabApiException or InvalidOperationException)
        {
            await output.WriteLineAsync("FAILED");
            await error.WriteLineAsync(e.Message);
            return 1;
        }

        await output.WriteLineAsync("OK");
        await output.WriteLineAsync("GitLab version: " + info.Version);
        await output.WriteLineAsync("GitLab revision: " + info.Revision);
        await output.WriteLineAsync("GitLab Api version: " + info.ApiVersion);
        await output.WriteLineAsync("Redis reachable for GitLab: " + (info.RedisReachable ? "true" : "false"));
        await output.WriteLineAsync("OK");
        return 0;
    }
}
