using System.Text;

namespace Lode.Git.PktLine;

/// <summary>
/// What a fetching client asked upload-pack for, gathered from its request pkt-lines as they stream past (Gitaly's
/// <c>stats.PackfileNegotiation</c>): wants, haves, shallows, the deepen and filter lines, capabilities, the v2
/// command and the agent. Reading stops at <c>done</c>. A malformed line stops it too, with <see cref="Error"/>
/// set; the counts so far remain. Not thread-safe.
/// </summary>
public sealed class PackfileNegotiation : IDisposable
{
    private readonly PktLineScanner scanner = new();
    private readonly PktLineHandler handler;
    private bool done;

    public PackfileNegotiation()
    {
        handler = OnPacket;
    }

    /// <summary>Bytes of packet data, without the trailing LF of each line.</summary>
    public long PayloadSize { get; private set; }

    /// <summary>Packets before <c>done</c> (flush and delimiter packets included).</summary>
    public int Packets { get; private set; }

    /// <summary>The capabilities of the first <c>want</c> line (protocol v0/v1).</summary>
    public IReadOnlyList<string> Caps { get; private set; } = [];

    public int Wants { get; private set; }

    public int Haves { get; private set; }

    public int Shallows { get; private set; }

    /// <summary>The whole <c>deepen</c>, <c>deepen-since</c> or <c>deepen-not</c> line; empty when there was none.</summary>
    public string Deepen { get; private set; } = "";

    /// <summary>The filter spec of a partial clone; empty when there was none.</summary>
    public string Filter { get; private set; } = "";

    /// <summary>The protocol v2 command (<c>fetch</c>, <c>ls-refs</c>, ...); empty for v0/v1.</summary>
    public string Command { get; private set; } = "";

    public string UserAgent { get; private set; } = "";

    /// <summary>Why parsing stopped before the end of the request; null when it did not.</summary>
    public string? Error { get; private set; }

    /// <summary>True when the request parsed without error (so far, or to its end after <see cref="Complete"/>).</summary>
    public bool Succeeded => Error is null;

    public void Feed(ReadOnlySpan<byte> data)
    {
        if (done || Error is not null)
        {
            return;
        }

        scanner.Feed(data, handler);
        if (scanner.Error is { } error)
        {
            Error = error;
        }
    }

    /// <summary>Marks the end of the request: a packet cut short by it is an error.</summary>
    public void Complete()
    {
        if (!done && Error is null && scanner.Pending > 0)
        {
            Error = "pktLineSplitter: incomplete packet at end of input";
        }
    }

    public void Dispose() => scanner.Dispose();

    private bool OnPacket(ReadOnlySpan<byte> packet)
    {
        var data = PktLineScanner.DataOf(packet);
        if (!data.IsEmpty && data[^1] == (byte)'\n')
        {
            data = data[..^1];
        }

        PayloadSize += data.Length;
        var line = Encoding.UTF8.GetString(data);
        var split = line.Split(' ');
        var first = split[0];
        if (first.StartsWith("command=", StringComparison.Ordinal))
        {
            Command = first["command=".Length..];
            Packets++;
            return true;
        }

        if (first.StartsWith("agent=", StringComparison.Ordinal))
        {
            UserAgent = first["agent=".Length..];
            Packets++;
            return true;
        }

        switch (first)
        {
            case "want":
                if (split.Length < 2)
                {
                    return Fail("invalid 'want'", line);
                }

                if (split.Length > 2 && Caps.Count > 0)
                {
                    return Fail("capabilities announced multiple times", line);
                }

                Wants++;
                if (split.Length > 2)
                {
                    Caps = split[2..];
                    foreach (var cap in Caps)
                    {
                        if (cap.StartsWith("agent=", StringComparison.Ordinal))
                        {
                            UserAgent = cap["agent=".Length..];
                            break;
                        }
                    }
                }

                break;
            case "shallow":
                if (split.Length != 2)
                {
                    return Fail("invalid 'shallow'", line);
                }

                Shallows++;
                break;
            case "deepen" or "deepen-since" or "deepen-not":
                if (split.Length != 2)
                {
                    return Fail("invalid 'deepen'", line);
                }

                Deepen = line;
                break;
            case "filter":
                if (split.Length != 2)
                {
                    return Fail("invalid 'filter'", line);
                }

                Filter = split[1];
                break;
            case "have":
                if (split.Length != 2)
                {
                    return Fail("invalid 'have'", line);
                }

                Haves++;
                break;
            case "done":
                // As Gitaly: the done line ends the negotiation and is not counted.
                done = true;
                return false;
        }

        Packets++;
        return true;
    }

    private bool Fail(string what, string line)
    {
        Error = $"{what} for packet {Packets}: {line}";
        return false;
    }
}
