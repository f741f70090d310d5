using System.CommandLine;
using System.Text;
using Gitaly;
using Google.Protobuf;
using Lode.Server.Backchannel;

namespace Lode.Host.Cli;

/// <summary>
/// <c>lode ssh [upload-pack|receive-pack|upload-archive] …</c>: Lode's <c>gitaly-ssh</c>, a program git runs instead
/// of ssh (<c>GIT_SSH_COMMAND</c>) so that a fetch or push goes to a Lode/Gitaly server through the SSHService RPCs.
/// <para>
/// As gitaly-ssh it reads <c>GITALY_ADDRESS</c> (<c>tcp://</c>, <c>tls://</c>, <c>unix:</c>), <c>GITALY_TOKEN</c>,
/// <c>GITALY_PAYLOAD</c> (the protojson of the SSH*Request naming the repository), <c>GITALY_USE_SIDECHANNEL=1</c>
/// (fetch with SSHUploadPackWithSidechannel over a multiplexed connection), <c>GITALY_FEATUREFLAGS</c>,
/// <c>GITALY_WD</c> and <c>CORRELATION_ID</c>, and takes the service from its first argument (git passes host and
/// remote command after it; Gitaly sets <c>GIT_SSH_VARIANT=simple</c>).
/// </para>
/// <para>
/// Lode's additions, for use as a plain <c>GIT_SSH_COMMAND="lode ssh"</c>: without a service argument the service is
/// read from git's remote command (<c>git-upload-pack '/path'</c>); without a payload the repository is that path
/// in <c>GITALY_STORAGE</c> (default <c>default</c>); git's <c>-G</c> probe is answered as OpenSSH does, so git
/// passes <c>GIT_PROTOCOL</c>, which fills an empty <c>git_protocol</c>.
/// </para>
/// </summary>
internal static class SshCommand
{
    private const string OptionsWithValue = "BbcDEeFIiJLlmOoPpQRSWw";

    /// <summary>For <c>lode --help</c>; the command itself is dispatched before parsing (git's ssh arguments are not ours to parse).</summary>
    public static Command Create()
    {
        var command = new Command("ssh", "Run a git transport command against a server (use as GIT_SSH_COMMAND, like gitaly-ssh)");
        command.SetAction((_, cancellationToken) => RunAsync([], cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        Invocation invocation;
        try
        {
            invocation = Parse(args);
        }
        catch (FormatException e)
        {
            await Console.Error.WriteLineAsync("lode ssh: " + e.Message);
            return 128;
        }

        if (invocation.Probe)
        {
            return 0;
        }

        var service = invocation.Service;
        var address = Environment.GetEnvironmentVariable("GITALY_ADDRESS");
        if (string.IsNullOrEmpty(address))
        {
            await Console.Error.WriteLineAsync(service + ": gitaly address can not be empty");
            return 1;
        }

        if (Environment.GetEnvironmentVariable("GITALY_WD") is { Length: > 0 } workingDirectory)
        {
            try
            {
                Directory.SetCurrentDirectory(workingDirectory);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"{service}: unable to chdir to {workingDirectory}");
                return 1;
            }
        }

        GitalyAddress parsed;
        try
        {
            parsed = GitalyAddress.Parse(address);
        }
        catch (FormatException e)
        {
            await Console.Error.WriteLineAsync(service + ": " + e.Message);
            return 1;
        }

        var session = new SshSession(parsed, Environment.GetEnvironmentVariable("GITALY_TOKEN"),
            Environment.GetEnvironmentVariable("GITALY_USE_SIDECHANNEL") == "1", Headers());
        try
        {
            var payload = Environment.GetEnvironmentVariable("GITALY_PAYLOAD") ?? "";
            var gitProtocol = Environment.GetEnvironmentVariable("GIT_PROTOCOL") ?? "";
            return service switch
            {
                "upload-pack" => await session.UploadPackAsync(UploadPackRequest(payload, invocation.Path, gitProtocol), cancellationToken),
                "receive-pack" => await session.ReceivePackAsync(ReceivePackRequest(payload, invocation.Path, gitProtocol), cancellationToken),
                _ => await session.UploadArchiveAsync(UploadArchiveRequest(payload, invocation.Path), cancellationToken),
            };
        }
        catch (InvalidProtocolBufferException e)
        {
            await Console.Error.WriteLineAsync($"{service}: json unmarshal: {e.Message}");
            return 1;
        }
        catch (Grpc.Core.RpcException e)
        {
            await Console.Error.WriteLineAsync($"{service}: rpc error: code = {e.StatusCode} desc = {e.Status.Detail}");
            return 1;
        }
        catch (Exception e) when (e is IOException or HttpRequestException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync(service + ": " + e.Message);
            return 1;
        }
    }

    /// <summary>What git asked for: the service, the repository path, or only the <c>-G</c> probe.</summary>
    internal sealed record Invocation(string Service, string Path, bool Probe);

    /// <summary>
    /// Understands both shapes: gitaly-ssh's <c>SERVICE HOST COMMAND</c> and OpenSSH's
    /// <c>[-o opt] [-p port] [-4|-6] [-G] HOST COMMAND</c>, where COMMAND is <c>git-upload-pack '/path'</c> (quoted by git).
    /// </summary>
    internal static Invocation Parse(string[] args)
    {
        var i = 0;
        string? service = null;
        if (args.Length > 0 && args[0] is "upload-pack" or "receive-pack" or "upload-archive")
        {
            service = args[0];
            i = 1;
        }

        var probe = false;
        for (; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                i++;
                break;
            }

            if (arg.Length < 2 || arg[0] != '-')
            {
                break;
            }

            for (var j = 1; j < arg.Length; j++)
            {
                if (arg[j] == 'G')
                {
                    probe = true;
                }

                if (OptionsWithValue.Contains(arg[j], StringComparison.Ordinal))
                {
                    if (j == arg.Length - 1)
                    {
                        i++;
                    }

                    break;
                }
            }
        }

        if (probe)
        {
            return new Invocation(service ?? "", "", true);
        }

        if (i >= args.Length)
        {
            if (service is null)
            {
                throw new FormatException("no host given");
            }

            return new Invocation(service, "", false);
        }

        // args[i] is the host, which the address in the environment replaces.
        var words = ShellWords(string.Join(' ', args[(i + 1)..]));
        if (words.Count >= 2 && words[0] == "git")
        {
            words = ["git-" + words[1], .. words.Skip(2)];
        }

        string path = "";
        if (words.Count == 2 && words[0] is "git-upload-pack" or "git-receive-pack" or "git-upload-archive")
        {
            service ??= words[0]["git-".Length..];
            path = words[1];
        }
        else if (service is null)
        {
            throw new FormatException("unsupported remote command \"" + string.Join(' ', args[(i + 1)..]) + "\"");
        }

        return new Invocation(service, path, false);
    }

    /// <summary>POSIX shell words: git single-quotes the path and writes an embedded quote as <c>'\''</c>.</summary>
    internal static List<string> ShellWords(string text)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case ' ' or '\t' or '\n':
                    if (inWord)
                    {
                        words.Add(current.ToString());
                        current.Clear();
                        inWord = false;
                    }

                    break;
                case '\'':
                    var end = text.IndexOf('\'', i + 1);
                    if (end < 0)
                    {
                        throw new FormatException("unterminated single quote");
                    }

                    current.Append(text, i + 1, end - i - 1);
                    i = end;
                    inWord = true;
                    break;
                case '"':
                    for (i++; i < text.Length && text[i] != '"'; i++)
                    {
                        if (text[i] == '\\' && i + 1 < text.Length && "\"\\$`\n".Contains(text[i + 1], StringComparison.Ordinal))
                        {
                            i++;
                        }

                        current.Append(text[i]);
                    }

                    if (i >= text.Length)
                    {
                        throw new FormatException("unterminated double quote");
                    }

                    inWord = true;
                    break;
                case '\\' when i + 1 < text.Length:
                    current.Append(text[++i]);
                    inWord = true;
                    break;
                default:
                    current.Append(c);
                    inWord = true;
                    break;
            }
        }

        if (inWord)
        {
            words.Add(current.ToString());
        }

        return words;
    }

    /// <summary>As gitaly-ssh: show every ref (Gitaly fetches between its own repositories with this).</summary>
    private static SSHUploadPackWithSidechannelRequest UploadPackRequest(string payload, string path, string gitProtocol)
    {
        var request = payload.Length > 0 ? JsonParser.Default.Parse<SSHUploadPackWithSidechannelRequest>(payload) : new();
        request.Repository ??= RepositoryFor(path);
        if (request.GitProtocol.Length == 0)
        {
            request.GitProtocol = gitProtocol;
        }

        request.GitConfigOptions.Insert(0, "transfer.hideRefs=!refs");
        return request;
    }

    private static SSHReceivePackRequest ReceivePackRequest(string payload, string path, string gitProtocol)
    {
        var request = payload.Length > 0 ? JsonParser.Default.Parse<SSHReceivePackRequest>(payload) : new();
        request.Repository ??= RepositoryFor(path);
        if (request.GitProtocol.Length == 0)
        {
            request.GitProtocol = gitProtocol;
        }

        if (request.GlId.Length == 0)
        {
            // Without a payload: the local user, in the gl_id form Gitaly's hooks accept for a name.
            request.GlId = Environment.GetEnvironmentVariable("GITALY_GL_ID") is { Length: > 0 } glId
                ? glId
                : "username-" + (Environment.GetEnvironmentVariable("USER") is { Length: > 0 } user ? user : "lode");
        }

        return request;
    }

    private static SSHUploadArchiveRequest UploadArchiveRequest(string payload, string path)
    {
        var request = payload.Length > 0 ? JsonParser.Default.Parse<SSHUploadArchiveRequest>(payload) : new();
        request.Repository ??= RepositoryFor(path);
        return request;
    }

    private static Repository RepositoryFor(string path) => new()
    {
        StorageName = Environment.GetEnvironmentVariable("GITALY_STORAGE") is { Length: > 0 } storage ? storage : "default",
        RelativePath = path.TrimStart('/'),
    };

    /// <summary>Feature flags (<c>name:true,…</c>) and the correlation id, as gitaly-ssh forwards them.</summary>
    private static Grpc.Core.Metadata Headers()
    {
        var headers = new Grpc.Core.Metadata();
        if (Environment.GetEnvironmentVariable("GITALY_FEATUREFLAGS") is { Length: > 0 } flags)
        {
            foreach (var pair in flags.Split(','))
            {
                var parts = pair.Split(':', 2);
                if (parts.Length == 2 && bool.TryParse(parts[1], out var enabled))
                {
                    headers.Add("gitaly-feature-" + parts[0].Replace('_', '-'), enabled ? "true" : "false");
                }
            }
        }

        if (Environment.GetEnvironmentVariable("CORRELATION_ID") is { Length: > 0 } correlation)
        {
            headers.Add("x-gitlab-correlation-id", correlation);
        }

        return headers;
    }
}
