using System.CommandLine;
using Lode.Core.Configuration;
using Lode.Core.Errors;
using Lode.Host.Hosting;

namespace Lode.Host.Cli;

/// <summary>
/// <c>lode serve [--config FILE]</c> (or <c>lode serve FILE</c>, as <c>gitaly serve</c>). Without a config it runs
/// the embedded default: one storage "default" under ./data, on 127.0.0.1:8075, no token.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var configOption = new Option<FileInfo?>("--config", "-c") { Description = "Gitaly-compatible config.toml" };
        var configArgument = new Argument<FileInfo?>("config") { Description = "config.toml (as in `gitaly serve <config>`)", Arity = ArgumentArity.ZeroOrOne };

        // An unknown flag would otherwise be taken for the config file's name; it is a usage error (exit 2).
        configArgument.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (token.Value.StartsWith('-'))
                {
                    result.AddError($"Unrecognized option '{token.Value}'.");
                }
            }
        });

        var command = new Command("serve", "Run the server") { configOption, configArgument };
        command.SetAction((parse, _) => RunAsync(parse.GetValue(configOption) ?? parse.GetValue(configArgument)));
        return command;
    }

    public static async Task<int> RunAsync(FileInfo? configFile)
    {
        var loaded = Load(configFile);
        if (loaded is null)
        {
            return 1;
        }

        var errors = ConfigValidator.Validate(loaded.Options);
        if (errors.Count > 0)
        {
            foreach (var error in errors)
            {
                await Console.Error.WriteLineAsync("invalid config: " + error);
            }

            return 1;
        }

        ServerHost host;
        try
        {
            host = await ServerHost.StartAsync(loaded.Options, new ServerHostSettings
            {
                NotActedOnKeys = loaded.NotActedOnKeys,
                UnknownKeys = loaded.UnknownKeys,
            }, CancellationToken.None);
        }
        catch (Exception e) when (e is LodeException or IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync("lode: " + e.Message);
            return 1;
        }

        await host.WaitForShutdownAsync(CancellationToken.None);
        await host.DisposeAsync();
        return 0;
    }

    private static ConfigLoadResult? Load(FileInfo? configFile)
    {
        if (configFile is null)
        {
            var options = ConfigLoader.ApplyEnvironment(Defaults.Embedded(Directory.GetCurrentDirectory(), AppContext.BaseDirectory));
            foreach (var storage in options.Storages)
            {
                Directory.CreateDirectory(storage.Path);
            }

            return new ConfigLoadResult(options, [], [], []);
        }

        var result = ConfigLoader.LoadFile(configFile.FullName);
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors)
            {
                Console.Error.WriteLine($"load config: config_path \"{configFile.FullName}\": {error}");
            }

            return null;
        }

        return result;
    }
}
