namespace Lode.Git.PktLine;

/// <summary>
/// The negotiation deadline (spec §6.6, Gitaly's <c>pktline.ReadMonitor</c>): access is checked when a fetch or
/// archive call starts, so a client that holds the negotiation open could receive data long after it lost access.
/// The monitor watches the client's input for the packet that ends negotiation (<see cref="Done"/> for
/// upload-pack, <see cref="Flush"/> for upload-archive) and calls <c>onTimeout</c> when it has not come within the
/// timeout counted from <see cref="Start"/>. Input that is not pkt-lines leaves the deadline running.
/// </summary>
public sealed class NegotiationMonitor : IDisposable
{
    private readonly byte[] boundary;
    private readonly TimeSpan timeout;
    private readonly Action onTimeout;
    private readonly TimeProvider timeProvider;
    private readonly PktLineScanner scanner = new();
    private readonly PktLineHandler handler;
    private readonly Lock gate = new();
    private ITimer? timer;
    private bool seen;
    private bool fired;

    public NegotiationMonitor(ReadOnlySpan<byte> boundaryPacket, TimeSpan timeout, Action onTimeout, TimeProvider? timeProvider = null)
    {
        boundary = boundaryPacket.ToArray();
        this.timeout = timeout;
        this.onTimeout = onTimeout;
        this.timeProvider = timeProvider ?? TimeProvider.System;
        handler = OnPacket;
    }

    /// <summary>upload-pack's end of negotiation: the client asks for the pack.</summary>
    public static ReadOnlySpan<byte> Done => "0009done\n"u8;

    /// <summary>upload-archive's end of arguments.</summary>
    public static ReadOnlySpan<byte> Flush => "0000"u8;

    /// <summary>True once the deadline passed without the boundary packet.</summary>
    public bool TimedOut
    {
        get
        {
            lock (gate)
            {
                return fired;
            }
        }
    }

    /// <summary>Starts the deadline (Gitaly starts it once the command runs).</summary>
    public void Start()
    {
        lock (gate)
        {
            if (!seen && timer is null)
            {
                timer = timeProvider.CreateTimer(static s => ((NegotiationMonitor)s!).Fire(), this, timeout, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>Watches one chunk of the client's input on its way to git.</summary>
    public void Feed(ReadOnlySpan<byte> data)
    {
        if (!scanner.Stopped)
        {
            scanner.Feed(data, handler);
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            timer?.Dispose();
            timer = null;
            seen = true;
        }

        scanner.Dispose();
    }

    private bool OnPacket(ReadOnlySpan<byte> packet)
    {
        if (!packet.SequenceEqual(boundary))
        {
            return true;
        }

        lock (gate)
        {
            seen = true;
            timer?.Dispose();
            timer = null;
        }

        return false;
    }

    private void Fire()
    {
        lock (gate)
        {
            if (seen || fired)
            {
                return;
            }

            fired = true;
        }

        onTimeout();
    }
}
