namespace Lode.Yamux;

/// <summary>Closing the session, whatever the cause: local close, transport end, protocol error, write failure.</summary>
public sealed partial class YamuxSession
{
    /// <summary>How long a closing session waits to get its final GoAway onto the transport.</summary>
    private static readonly TimeSpan GoAwayGrace = TimeSpan.FromSeconds(1);

    private int shutdownStarted;

    private void BeginShutdown(YamuxException? error, GoAwayCode? goAway)
    {
        if (Interlocked.Exchange(ref shutdownStarted, 1) != 0)
        {
            return;
        }

        YamuxStream[] live;
        TaskCompletionSource[] waiting;
        lock (gate)
        {
            shuttingDown = true;
            closeError = error;
            live = [.. streams.Values];
            streams.Clear();
            waiting = [.. pings.Values];
            pings.Clear();
        }

        _ = ShutdownAsync(error, goAway, live, waiting);
    }

    private async Task ShutdownAsync(YamuxException? error, GoAwayCode? goAway, YamuxStream[] live, TaskCompletionSource[] waiting)
    {
        try
        {
            // Streams fail first so that nobody starts new work while the transport is being torn down.
            var streamError = new YamuxException(YamuxError.SessionClosed, "yamux: session closed", error);
            foreach (var stream in live)
            {
                stream.OnSessionClosed(streamError);
            }

            foreach (var ping in waiting)
            {
                ping.TrySetException(new YamuxException(YamuxError.SessionClosed, "yamux: session closed", error));
            }

            acceptQueue.Writer.TryComplete();
            await shutdownCts.CancelAsync();

            await Writer.CloseAsync(goAway is { } code ? FrameHeader.GoAway(code) : null, GoAwayGrace);
            input.CancelPendingRead();
            try
            {
                await transport.DisposeAsync();
            }
            catch (Exception)
            {
                // The transport is being dropped; its own close errors do not matter.
            }

            await readLoop;
            await keepAlive;
        }
        catch (Exception)
        {
            // Shutdown must always complete Closed.
        }
        finally
        {
            Writer.Dispose();
            closed.TrySetResult();
        }
    }
}
