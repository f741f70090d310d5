using System.Net.Sockets;
using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Core.Text;
using Lode.Git.Commands;
using Lode.Server.GitTransport;
using Lode.Server.Hooks;

namespace Lode.Server.Services.Hook;

internal sealed partial class HookServiceImpl
{
    private const int PackCopyBufferSize = 64 * 1024;

    /// <summary>
    /// git upload-pack's pack-objects, run by the server for the hook (spec §7.5): git's stdin arrives on the hook's
    /// socket, the pack goes back as side-band band 1 and pack-objects' progress as band 2. The socket is closed before
    /// the answer. Lode keeps no pack cache: every call runs pack-objects, streaming both ways.
    /// </summary>
    public override async Task<PackObjectsHookWithSidechannelResponse> PackObjectsHookWithSidechannel(PackObjectsHookWithSidechannelRequest request,
        ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        if (request.Repository is null)
        {
            throw LodeException.InvalidArgument("repository not set");
        }

        var paths = resolver.Resolve(request.Repository);
        var arguments = PackObjectsArguments.Parse(request.Args, out var problem)
            ?? throw LodeException.InvalidArgument($"invalid pack-objects command: [{string.Join(' ', request.Args)}]: {problem}");

        using var socket = await PackObjectsSidechannel.DialAsync(context, cancellationToken);
        await using var channel = new NetworkStream(socket, ownsSocket: false);
        using var sideband = new SidebandSink((data, ct) => channel.WriteAsync(data, ct));

        var command = git.Create(paths, GitSubcommand.PackObjects).Flag("--stdout").WithStdin()
            .StderrTo(chunk => sideband.StderrAsync(chunk, cancellationToken));
        foreach (var flag in arguments.Flags)
        {
            command.Flag(flag);
        }

        if (arguments.WithoutShallowFile)
        {
            command.WithoutShallowFile();
        }

        int exitCode;
        string stderr;
        try
        {
            await using var process = await command.StartAsync(cancellationToken);
            var stdin = StdinPump.RunAsync(channel, process, null, cancellationToken);
            await OutputCopier.CopyAsync(process.Stdout, sideband.StdoutAsync, PackCopyBufferSize, cancellationToken);
            exitCode = await process.WaitAsync(cancellationToken);
            await stdin;
            stderr = process.Stderr;
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            // The hook stopped reading: its git went away, as a client that hangs up mid-clone does.
            throw new LodeException(ErrorCode.Canceled, "pack objects hook: " + e.Message);
        }

        if (exitCode != 0)
        {
            throw LodeException.Internal($"pack objects hook: git-pack-objects: stderr: {GoQuote.Quote(stderr)} err: exit status {exitCode}");
        }

        socket.Shutdown(SocketShutdown.Both);
        return new PackObjectsHookWithSidechannelResponse();
    }
}
