using Gitaly;
using Grpc.Core;
using Lode.Core.Storage;
using Lode.Git.Commands;

namespace Lode.Server.Services.Server;

internal sealed partial class ServerServiceImpl
{
    /// <summary>
    /// Gitaly v16.7 runs no checks here. Lode checks what it needs to serve: every storage readable and
    /// writeable, and git runnable, within the request's timeout.
    /// </summary>
    public override async Task<ReadinessCheckResponse> ReadinessCheck(ReadinessCheckRequest request, ServerCallContext context)
    {
        var timeout = request.Timeout?.ToTimeSpan() is { } t && t > TimeSpan.Zero ? t : TimeSpan.FromSeconds(15);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        cts.CancelAfter(timeout);

        var failures = new ReadinessCheckResponse.Types.Failure();
        foreach (var storage in options.Storages)
        {
            if (!StorageProbe.IsReadable(storage.Path) || !StorageProbe.IsWriteable(storage.Path))
            {
                failures.FailedChecks.Add(new ReadinessCheckResponse.Types.Failure.Types.Response
                {
                    Name = "storage " + storage.Name,
                    ErrorMessage = "storage is not readable and writeable",
                });
            }
        }

        try
        {
            await git.Create(null, GitSubcommand.Version).RunAsync(cts.Token);
        }
        catch (Exception e) when (!context.CancellationToken.IsCancellationRequested)
        {
            failures.FailedChecks.Add(new ReadinessCheckResponse.Types.Failure.Types.Response { Name = "git", ErrorMessage = e.Message });
        }

        return failures.FailedChecks.Count == 0
            ? new ReadinessCheckResponse { OkResponse = new ReadinessCheckResponse.Types.Ok() }
            : new ReadinessCheckResponse { FailureResponse = failures };
    }
}
