using Lode.Yamux;

namespace Lode.Server.Sidechannel;

/// <summary>
/// One registered sidechannel of a client call. After the call returns, <see cref="CloseAsync"/> waits for the
/// callback and reports its outcome; if the server never opened the sidechannel it fails with "callback did not
/// run", as Gitaly's client does.
/// </summary>
public sealed class SidechannelWaiter
{
    private readonly SidechannelRegistry registry;
    private readonly Func<SidechannelClientStream, CancellationToken, Task> callback;
    private readonly CancellationTokenSource abort;
    private readonly TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int started;

    internal SidechannelWaiter(SidechannelRegistry registry, long id, Func<SidechannelClientStream, CancellationToken, Task> callback,
        CancellationToken cancellationToken)
    {
        this.registry = registry;
        this.callback = callback;
        Id = id;
        abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    public long Id { get; }

    /// <summary>The metadata value to send with the call.</summary>
    public string MetadataValue => Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Stops a callback that is still running (the call failed, nobody will read what it produces).</summary>
    public void Abort() => abort.Cancel();

    /// <summary>Deregisters; then waits for the callback. Throws when it failed or never ran.</summary>
    public async Task CloseAsync()
    {
        if (registry.Remove(this) && Interlocked.Exchange(ref started, 1) == 0)
        {
            abort.Dispose();
            throw new SidechannelException("sidechannel: callback did not run");
        }

        try
        {
            await done.Task;
        }
        finally
        {
            abort.Dispose();
        }
    }

    internal void Arrive(YamuxStream stream)
    {
        if (Interlocked.Exchange(ref started, 1) != 0)
        {
            stream.Dispose();
            return;
        }

        _ = RunAsync(stream);
    }

    private async Task RunAsync(YamuxStream stream)
    {
        try
        {
            await using (stream)
            {
                await stream.WriteAsync(SidechannelProtocol.Ok.ToArray(), abort.Token);
                await callback(new SidechannelClientStream(stream), abort.Token);
            }

            done.TrySetResult();
        }
        catch (Exception e)
        {
            done.TrySetException(e);
        }
    }
}
