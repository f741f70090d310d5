using System.Text;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Git.PktLine;
using Lode.Server.Hooks;
using Lode.Server.Streaming;

namespace Lode.Server.Services.Hook;

internal sealed partial class HookServiceImpl
{
    /// <summary>
    /// git's proc-receive hook (spec §8.3): it hands the pushed ref updates to whoever owns the push's write-ahead-log
    /// transaction, which applies them and reports <c>ok</c>/<c>ng</c> per ref. This server keeps no such log, so it
    /// answers as a Gitaly without transactions does: it speaks the protocol up to the updates (version negotiation,
    /// commands, push options), then refuses them all with exit status 1, having changed nothing.
    /// </summary>
    public override async Task ProcReceiveHook(IAsyncStreamReader<ProcReceiveHookRequest> requestStream,
        IServerStreamWriter<ProcReceiveHookResponse> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var first = await ReadFirstAsync(requestStream, cancellationToken);
        resolver.Resolve(first.Repository);

        string problem;
        try
        {
            var payload = HookEnvironment.Payload(first.EnvironmentVariables);
            await using var stdin = new PktLineReader(new RequestStream<ProcReceiveHookRequest>(requestStream, r => r.Stdin));
            var updates = await ReadUpdatesAsync(stdin, responseStream, cancellationToken);
            problem = payload.TransactionId == 0
                ? $"transmitting handler: no transaction waits for these {updates} reference update(s): this server runs without the write-ahead log"
                : $"transmitting handler: no handler waiting for transaction {payload.TransactionId}";
        }
        catch (Exception e) when (e is HookDeclinedException or InvalidDataException or PktLineFormatException)
        {
            problem = "creating handler: " + e.Message;
        }

        await responseStream.WriteAsync(new ProcReceiveHookResponse
        {
            ExitStatus = new ExitStatus { Value = 1 },
            Stderr = ByteString.CopyFromUtf8(problem),
        }, cancellationToken);
    }

    /// <summary>
    /// The proc-receive protocol up to the updates: git's version line and capabilities, our version, the commands,
    /// and the push options when git negotiated them. Returns how many updates git sent.
    /// </summary>
    private static async Task<int> ReadUpdatesAsync(PktLineReader stdin, IServerStreamWriter<ProcReceiveHookResponse> responses,
        CancellationToken cancellationToken)
    {
        var version = await ReadSectionAsync(stdin, cancellationToken);
        if (version.Count == 0 || !version[0].StartsWith("version=1", StringComparison.Ordinal))
        {
            throw new InvalidDataException("unsupported proc-receive version: " + (version.Count == 0 ? "none" : version[0]));
        }

        var capabilities = version[0].Contains('\0', StringComparison.Ordinal) ? version[0][(version[0].IndexOf('\0', StringComparison.Ordinal) + 1)..] : "";
        var pushOptions = capabilities.Split(' ').Contains("push-options");
        // git waits for our version before it sends the commands: it goes out as a message of its own.
        var answer = new System.Buffers.ArrayBufferWriter<byte>();
        PktLine.WriteString(answer, pushOptions ? "version=1\0push-options\n" : "version=1\n");
        PktLine.WriteFlush(answer);
        await responses.WriteAsync(new ProcReceiveHookResponse { Stdout = ByteString.CopyFrom(answer.WrittenSpan) }, cancellationToken);

        var commands = await ReadSectionAsync(stdin, cancellationToken);
        if (pushOptions)
        {
            await ReadSectionAsync(stdin, cancellationToken);
        }

        return commands.Count;
    }

    private static async Task<List<string>> ReadSectionAsync(PktLineReader reader, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        while (true)
        {
            var packet = await reader.ReadAsync(cancellationToken) ?? throw new InvalidDataException("proc-receive: input ended before a flush");
            if (packet.IsFlush)
            {
                return lines;
            }

            lines.Add(Encoding.UTF8.GetString(packet.Data.Span).TrimEnd('\n'));
        }
    }
}
