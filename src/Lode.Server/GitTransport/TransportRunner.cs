using System.Globalization;
using System.Text;
using Gitaly;
using Grpc.Core;
using Lode.Core.Configuration;
using Lode.Core.Errors;
using Lode.Core.Storage;
using Lode.Core.Text;
using Lode.Git.Advertisement;
using Lode.Git.Commands;
using Lode.Git.Hooks;
using Lode.Git.PktLine;
using Lode.Server.Hooks;
using ObjectFormat = Lode.Git.Objects.ObjectFormat;

namespace Lode.Server.GitTransport;

/// <summary>
/// Runs git's transport commands for clones, fetches and pushes (spec §6): ref advertisement, stateless
/// upload-pack and receive-pack (smart HTTP), and the interactive SSH commands with the negotiation deadline. It
/// knows nothing of gRPC messages: input is a <see cref="Stream"/>, output goes to a <see cref="ByteSink"/>, so the
/// SmartHTTP and SSH services and the smart HTTP front door share the same code. Errors carry Gitaly's messages
/// and codes; callers add their RPC's prefix.
/// </summary>
public sealed class TransportRunner(GitCommandFactory git, HookSetup hooks, ReceivePackAdvertisement receivePackAdvertisement,
    InProcessPostReceive postReceive, LodeOptions options, TimeProvider time)
{
    /// <summary>Gitaly's streamio chunk: at most this much git output per response message.</summary>
    public const int MessageChunkSize = 128 * 1024;

    /// <summary>Gitaly's copy buffer for sidechannels and SSH output.</summary>
    public const int CopyBufferSize = 64 * 1024;

    /// <summary>What git prints when the client went away mid-protocol; Gitaly reports it as CANCELED.</summary>
    public static ReadOnlySpan<byte> HangUp => "fatal: the remote end hung up unexpectedly\n"u8;

    private static readonly byte[] Flush = "0000"u8.ToArray();

    public LodeOptions Options => options;

    /// <summary>
    /// InfoRefs (spec §6.2): the <c># service=git-…</c> packet and a flush, then git's advertisement. Sent for every
    /// protocol version. Failures are INTERNAL (<c>cmd: …</c>, <c>wait: …</c>) as in Gitaly. receive-pack's
    /// advertisement is written in-process when it can be (<see cref="ReceivePackAdvertisement"/>): the same bytes
    /// without a git process, which is most of what a push's first request costs.
    /// </summary>
    public async Task AdvertiseRefsAsync(RepositoryPaths repository, GitSubcommand service, IReadOnlyList<KeyValuePair<string, string>> config,
        string? gitProtocol, ByteSink output, CancellationToken cancellationToken)
    {
        var attempt = service == GitSubcommand.ReceivePack ? receivePackAdvertisement.Prepare(repository, config, gitProtocol) : default;
        if (attempt.Ready is { } ready)
        {
            await WriteServiceHeaderAsync(service, output, cancellationToken);
            foreach (var chunk in ready.Chunks(MessageChunkSize))
            {
                await output(chunk, cancellationToken);
            }

            return;
        }

        var command = git.Create(repository, service)
            .Flags("--stateless-rpc", "--advertise-refs")
            .Arg(repository.FullPath)
            .WithGitProtocol(gitProtocol)
            .Apply(config);

        GitProcess process;
        try
        {
            process = await command.StartAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Failure(ErrorCode.Internal, "cmd", e);
        }

        await using (process)
        {
            await WriteServiceHeaderAsync(service, output, cancellationToken);
            var learner = attempt.Learner;
            ByteSink copyTo = learner is null ? output : (data, token) =>
            {
                learner.Observe(data.Span);
                return output(data, token);
            };
            await OutputCopier.CopyAsync(process.Stdout, copyTo, MessageChunkSize, cancellationToken);
            var exit = await process.WaitAsync(cancellationToken);
            if (exit != 0)
            {
                throw ExitFailure(ErrorCode.Internal, "wait: ", exit, process);
            }

            learner?.Complete();
        }
    }

    /// <summary>Two messages, as Gitaly's writer sends the service line and the flush separately.</summary>
    private static async Task WriteServiceHeaderAsync(GitSubcommand service, ByteSink output, CancellationToken cancellationToken)
    {
        await output(PktLine.Format($"# service=git-{service.Name}\n"), cancellationToken);
        await output(Flush, cancellationToken);
    }

    /// <summary>
    /// <c>git upload-pack --stateless-rpc</c> fed with <paramref name="input"/> (spec §6.3, §6.4). Returns what the
    /// client asked for. A non-zero exit is accepted when the request had a deepen line (git exits so after sending
    /// the shallow list); otherwise FAILED_PRECONDITION <c>waiting for upload-pack: …</c>.
    /// </summary>
    public async Task<PackfileNegotiation> UploadPackAsync(RepositoryPaths repository, IReadOnlyList<KeyValuePair<string, string>> config,
        string? gitProtocol, Stream input, ByteSink output, int chunkSize, CancellationToken cancellationToken)
    {
        var command = git.Create(repository, GitSubcommand.UploadPack)
            .Flag("--stateless-rpc")
            .Arg(repository.FullPath)
            .WithGitProtocol(gitProtocol)
            .Apply(config)
            .WithStdin();
        await ApplyPackObjectsHookAsync(command, repository, cancellationToken);

        using var stats = new PackfileNegotiation();
        GitProcess process;
        try
        {
            process = await command.StartAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Failure(ErrorCode.FailedPrecondition, "spawning upload-pack", e);
        }

        await using (process)
        {
            using var stopPump = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var pump = StdinPump.RunAsync(input, process, stats.Feed, stopPump.Token);
            int exit;
            (StdinOutcome Outcome, Exception? Error) pumped;
            try
            {
                try
                {
                    await OutputCopier.CopyAsync(process.Stdout, output, chunkSize, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    throw Failure(ErrorCode.FailedPrecondition, "copying stdout from upload-pack", e);
                }

                exit = await process.WaitAsync(cancellationToken);
            }
            finally
            {
                await stopPump.CancelAsync();
                pumped = await pump;
            }

            var (outcome, inputError) = pumped;
            if (outcome == StdinOutcome.Ended)
            {
                stats.Complete();
            }

            if (exit != 0)
            {
                if (stats.Succeeded && stats.Deepen.Length > 0)
                {
                    return stats;
                }

                throw ExitFailure(ErrorCode.FailedPrecondition, "waiting for upload-pack: ", exit, process);
            }

            if (inputError is not null)
            {
                throw Failure(ErrorCode.FailedPrecondition, "waiting for upload-pack", inputError);
            }

            return stats;
        }
    }

    /// <summary>
    /// The SSH upload commands (Gitaly's <c>runUploadCommand</c>): <c>git upload-pack</c> or <c>git upload-archive</c>
    /// talking to the client through <paramref name="input"/>, <paramref name="stdout"/> and <paramref name="stderr"/>,
    /// with the negotiation deadline of spec §6.6. Returns the outcome for the caller to report; throws only when
    /// the call itself was cancelled.
    /// </summary>
    public async Task<CommandOutcome> RunUploadCommandAsync(RepositoryPaths repository, GitSubcommand subcommand,
        IReadOnlyList<KeyValuePair<string, string>> config, string? gitProtocol, Stream input, ByteSink stdout, ByteSink stderr,
        byte[] boundaryPacket, TimeSpan negotiationTimeout, PackfileNegotiation? stats, CancellationToken cancellationToken)
    {
        using var local = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var capture = new StderrCapture(HangUp.Length);
        var command = git.Create(repository, subcommand)
            .Arg(repository.FullPath)
            .WithGitProtocol(gitProtocol)
            .Apply(config)
            .WithStdin()
            .StderrTo(async chunk =>
            {
                capture.Add(chunk.Span);
                await stderr(chunk, local.Token);
            });
        if (subcommand == GitSubcommand.UploadPack)
        {
            await ApplyPackObjectsHookAsync(command, repository, cancellationToken);
        }

        GitProcess process;
        try
        {
            process = await command.StartAsync(local.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new CommandOutcome(null, Failure(ErrorCode.Internal, "starting command", e));
        }

        using var monitor = new NegotiationMonitor(boundaryPacket, negotiationTimeout, local.Cancel, time);
        await using (process)
        {
            using var stopPump = CancellationTokenSource.CreateLinkedTokenSource(local.Token);
            monitor.Start();
            var pump = StdinPump.RunAsync(input, process, chunk =>
            {
                monitor.Feed(chunk);
                stats?.Feed(chunk);
            }, stopPump.Token);

            int exit;
            try
            {
                await OutputCopier.CopyAsync(process.Stdout, stdout, CopyBufferSize, local.Token);
                exit = await process.WaitAsync(local.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && monitor.TimedOut)
            {
                // Our own deadline killed git, not the caller: say so (Gitaly compares its two contexts the same way).
                return new CommandOutcome(null, new LodeException(ErrorCode.DeadlineExceeded, "waiting for negotiation: context canceled"));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The client stopped taking output.
                return new CommandOutcome(null, Failure(ErrorCode.Internal, "cmd wait", e));
            }
            finally
            {
                await StopAsync(stopPump, pump);
            }

            if (exit == 0)
            {
                return new CommandOutcome(0, null);
            }

            if (capture.IsExactly(HangUp))
            {
                return new CommandOutcome(null, new LodeException(ErrorCode.Canceled, "user canceled the request"));
            }

            return new CommandOutcome(exit, ExitFailure(ErrorCode.Internal, "cmd wait: ", exit, process,
                ", stderr: " + GoQuote.Quote(process.Stderr)));
        }
    }

    /// <summary>upload-pack's pack-objects hook, when the server runs one; after the request's config, so that it wins.</summary>
    private async Task ApplyPackObjectsHookAsync(GitCommandBuilder command, RepositoryPaths repository, CancellationToken cancellationToken)
    {
        if (hooks.Directory.PackObjectsHookCommand is not null)
        {
            var format = await ObjectFormat.DetectAsync(git, repository, cancellationToken);
            hooks.ApplyPackObjectsHook(command, repository, format.Name);
        }
    }

    /// <summary>
    /// <c>git receive-pack</c> (stateless for smart HTTP, interactive for SSH) with Lode's hooks (spec §6.5, §8.1).
    /// Returns the exit code and whether git's whole stderr was the hang-up line; the callers map those as Gitaly's
    /// two RPCs differ. A stateless push whose post-receive would only call GitLab has the server do that after git
    /// exits (<see cref="InProcessPostReceive"/>), with the same output in the same place.
    /// </summary>
    public async Task<ReceivePackOutcome> ReceivePackAsync(RepositoryPaths paths, Repository repository, HooksUserDetails user,
        IReadOnlyList<KeyValuePair<string, string>> config, string? gitProtocol, bool stateless, Stream input, ByteSink stdout, ByteSink? stderr,
        ServerCallContext context, CancellationToken cancellationToken)
    {
        var format = await ObjectFormat.DetectAsync(git, paths, cancellationToken);
        ReceiveCommands? serverPostReceive = null;
        if (stateless && hooks.PostReceiveOnlyCallsGitlab(paths, context) && !ProcReceiveConfigured(paths, config))
        {
            var (consumed, commands) = await ReceiveCommands.ReadAsync(input, cancellationToken);
            input = new PrefixedStream(consumed, input);
            if (commands is not null && commands.Capabilities.Contains("side-band-64k") &&
                (commands.Capabilities.Contains("report-status") || commands.Capabilities.Contains("report-status-v2")))
            {
                serverPostReceive = commands;
            }
        }

        var command = git.Create(paths, GitSubcommand.ReceivePack);
        if (stateless)
        {
            command.Flag("--stateless-rpc");
        }

        // The request's config goes first so that it cannot point core.hooksPath elsewhere.
        command.Arg(paths.FullPath).WithGitProtocol(gitProtocol).Apply(config).WithStdin();
        var requested = serverPostReceive is null ? RequestedHooks.ReceivePack : RequestedHooks.ReceivePack & ~RequestedHooks.PostReceive;
        hooks.Apply(command, paths, repository, format.Name, user, requested, context);

        var capture = new StderrCapture(HangUp.Length);
        if (stderr is not null)
        {
            command.StderrTo(async chunk =>
            {
                capture.Add(chunk.Span);
                await stderr(chunk, cancellationToken);
            });
        }

        GitProcess process;
        try
        {
            process = await command.StartAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new ReceivePackOutcome(null, false, e);
        }

        await using (process)
        {
            // git runs post-receive after writing its report and before its final flush; the server does it as soon
            // as that flush arrives, while git is still exiting.
            // Writes are serialised: should git write after that flush, its bytes and the messages must not interleave.
            Task? postReceiveRun = null;
            using var writes = new SemaphoreSlim(1, 1);
            if (serverPostReceive is not null)
            {
                stdout = Serialized(stdout, writes);
            }

            var tap = serverPostReceive is null ? null : new ReportStatusTap(stdout, flushed => postReceiveRun =
                RunPostReceiveAsync(serverPostReceive, flushed, repository, format, user, context, stdout, cancellationToken));
            using var stopPump = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var pump = StdinPump.RunAsync(input, process, null, stopPump.Token);
            int exit;
            try
            {
                await OutputCopier.CopyAsync(process.Stdout, tap is null ? stdout : tap.WriteAsync, MessageChunkSize, cancellationToken);
                exit = await process.WaitAsync(cancellationToken);
            }
            catch (Exception) when (postReceiveRun is not null)
            {
                await ObserveAsync(postReceiveRun);
                throw;
            }
            finally
            {
                await StopAsync(stopPump, pump);
            }

            if (tap is not null)
            {
                if (postReceiveRun is not null)
                {
                    await postReceiveRun;
                }

                if (!tap.Held.IsEmpty)
                {
                    await stdout(tap.Held, cancellationToken);
                }
            }

            return new ReceivePackOutcome(exit, capture.IsExactly(HangUp), null, process.Stderr);
        }
    }

    /// <summary>git's post-receive for the refs it reported updated; none updated, no post-receive (as in git).</summary>
    private async Task RunPostReceiveAsync(ReceiveCommands commands, ReportStatusTap tap, Repository repository, ObjectFormat format,
        HooksUserDetails user, ServerCallContext context, ByteSink stdout, CancellationToken cancellationToken)
    {
        var updated = tap.UpdatedRefs();
        var changes = new StringBuilder();
        foreach (var (oldValue, newValue, reference) in commands.Updates)
        {
            if (updated.Contains(reference))
            {
                changes.Append(oldValue).Append(' ').Append(newValue).Append(' ').Append(reference).Append('\n');
            }
        }

        if (changes.Length == 0)
        {
            return;
        }

        var payload = hooks.Payload(repository, format.Name, user, RequestedHooks.ReceivePack, context);
        await postReceive.RunAsync(repository, payload, commands.PushOptions, changes.ToString(), stdout, cancellationToken);
    }

    private static ByteSink Serialized(ByteSink sink, SemaphoreSlim writes) => async (data, cancellationToken) =>
    {
        await writes.WaitAsync(cancellationToken);
        try
        {
            await sink(data, cancellationToken);
        }
        finally
        {
            writes.Release();
        }
    };

    /// <summary>Waits for a task whose failure is not the one being reported.</summary>
    private static async Task ObserveAsync(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException or RpcException)
        {
            // The call is failing already; this is a consequence of it.
        }
    }

    /// <summary>
    /// Whether git may hand refs to a <c>proc-receive</c> hook: its report-status then describes other updates than
    /// the commands, so the server does not take post-receive on.
    /// </summary>
    private bool ProcReceiveConfigured(RepositoryPaths paths, IReadOnlyList<KeyValuePair<string, string>> config)
    {
        static bool IsProcReceive(string key) => key.Equals("receive.procReceiveRefs", StringComparison.OrdinalIgnoreCase);
        if (config.Any(pair => IsProcReceive(pair.Key)) || options.Git.Config.Any(entry => IsProcReceive(entry.Key)))
        {
            return true;
        }

        try
        {
            var keys = Lode.Git.Housekeeping.GitConfigFile.Keys(File.ReadAllLines(Path.Combine(paths.FullPath, "config")));
            return keys is null || keys.Any(IsProcReceive);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>Wraps a failure under a prefix: a Lode error keeps its code, anything else gets <paramref name="code"/>.</summary>
    internal static LodeException Failure(ErrorCode code, string prefix, Exception inner) => inner switch
    {
        LodeException lode => LodeException.Wrap(prefix, lode),
        _ => new LodeException(code, prefix + ": " + inner.Message),
    };

    private static LodeException ExitFailure(ErrorCode code, string prefix, int exit, GitProcess process, string suffix = "") =>
        new LodeException(code, prefix + "exit status " + exit.ToString(CultureInfo.InvariantCulture) + suffix)
            .With("command.name", process.Subcommand)
            .With("stderr", process.Stderr);

    private static async Task StopAsync(CancellationTokenSource stopPump, Task<(StdinOutcome, Exception?)> pump)
    {
        await stopPump.CancelAsync();
        await pump;
    }
}
