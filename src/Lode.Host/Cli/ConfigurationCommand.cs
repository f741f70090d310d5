using System.CommandLine;
using System.Text.Json;
using Lode.Core.Configuration;

namespace Lode.Host.Cli;

/// <summary>
/// <c>lode configuration validate &lt; config.toml</c>: prints every problem as
/// <c>{"errors":[{"key":[…],"message":"…"}]}</c> and exits 2 if there is any, as <c>gitaly configuration validate</c>.
/// </summary>
internal static class ConfigurationCommand
{
    public static Command Create()
    {
        var validate = new Command("validate", "Check a config file read from stdin; prints problems as JSON");
        validate.SetAction(async (_, cancellationToken) => await ValidateAsync(Console.In, Console.Out, cancellationToken));
        return new Command("configuration", "Config file tools") { validate };
    }

    public static async Task<int> ValidateAsync(TextReader input, TextWriter output, CancellationToken cancellationToken)
    {
        var text = await input.ReadToEndAsync(cancellationToken);
        var loaded = ConfigLoader.Load(text);
        var errors = new List<ConfigError>(loaded.Errors);
        if (loaded.Errors.Count == 0)
        {
            errors.AddRange(ConfigValidator.Validate(loaded.Options));
        }

        if (errors.Count == 0)
        {
            return 0;
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartArray("errors");
            foreach (var error in errors)
            {
                json.WriteStartObject();
                json.WriteStartArray("key");
                foreach (var part in error.Key)
                {
                    json.WriteStringValue(part);
                }

                json.WriteEndArray();
                json.WriteString("message", error.Message);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        await output.WriteLineAsync(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
        return 2;
    }
}
