using System.Text;
using Lode.Git.Objects;
using Lode.Git.PktLine;

namespace Lode.Server.GitTransport;

/// <summary>
/// The start of a push request as receive-pack reads it (gitprotocol-pack(5)): optional <c>shallow</c> lines, the ref
/// update commands (<c>old new ref</c>, the first with the client's capabilities after a NUL) up to a flush, then,
/// when the client asked for <c>push-options</c>, the options up to a flush. Read before git starts so that the
/// server knows what the push asks for; the bytes read are handed to git unchanged.
/// </summary>
internal sealed class ReceiveCommands
{
    /// <summary>More than this before the pack starts and the request is left to git alone.</summary>
    public const int MaxLength = 1024 * 1024;

    private ReceiveCommands(List<(string Old, string New, string Ref)> updates, HashSet<string> capabilities, List<string> pushOptions)
    {
        Updates = updates;
        Capabilities = capabilities;
        PushOptions = pushOptions;
    }

    public IReadOnlyList<(string Old, string New, string Ref)> Updates { get; }

    public IReadOnlySet<string> Capabilities { get; }

    public IReadOnlyList<string> PushOptions { get; }

    /// <summary>
    /// Reads from <paramref name="input"/> until the commands (and push options) are complete. Returns what was read,
    /// to replay to git, and the parsed commands; null commands when the request is one this parser does not take on
    /// (a push certificate, more than <see cref="MaxLength"/> bytes, malformed packets, input ending early).
    /// </summary>
    public static async Task<(byte[] Consumed, ReceiveCommands? Commands)> ReadAsync(Stream input, CancellationToken cancellationToken)
    {
        var consumed = new MemoryStream();
        var chunk = new byte[16 * 1024];
        using var parser = new Parser();
        while (!parser.Done && consumed.Length < MaxLength)
        {
            var read = await input.ReadAsync(chunk, cancellationToken);
            if (read == 0)
            {
                return (consumed.ToArray(), null);
            }

            consumed.Write(chunk, 0, read);
            parser.Feed(chunk.AsSpan(0, read));
        }

        return (consumed.ToArray(), parser.Result);
    }

    /// <summary>Whether <paramref name="data"/> holds the whole command section; the commands when it does and they are usable.</summary>
    internal static (bool Complete, ReceiveCommands? Commands) TryParse(ReadOnlySpan<byte> data)
    {
        using var parser = new Parser();
        parser.Feed(data);
        return (parser.Done, parser.Result);
    }

    private static bool IsObjectId(string hex) => hex.Length is 40 or 64 && !hex.AsSpan().ContainsAnyExcept(HexChars.LowerChars);

    /// <summary>Takes the request's packets as they arrive (through the shared pkt-line scanner) until the section ends.</summary>
    private sealed class Parser : IDisposable
    {
        private readonly PktLineScanner scanner = new();
        private readonly List<(string, string, string)> updates = [];
        private readonly HashSet<string> capabilities = new(StringComparer.Ordinal);
        private readonly List<string> pushOptions = [];
        private bool readingOptions;
        private bool usable = true;

        /// <summary>True once the section is complete, or known to be one this parser does not take on.</summary>
        public bool Done { get; private set; }

        public ReceiveCommands? Result => Done && usable ? new ReceiveCommands(updates, capabilities, pushOptions) : null;

        public void Feed(ReadOnlySpan<byte> data)
        {
            scanner.Feed(data, Take);
            if (scanner.Error is not null)
            {
                Stop(usable: false);
            }
        }

        public void Dispose() => scanner.Dispose();

        private bool Take(ReadOnlySpan<byte> packet)
        {
            var length = PktLine.ParseHeader(packet);
            if (length == 0)
            {
                // The flush after the commands starts the push options when the client asked for them; git reads
                // them only when there were commands.
                if (!readingOptions && capabilities.Contains("push-options") && updates.Count > 0)
                {
                    readingOptions = true;
                    return true;
                }

                return Stop(usable: true);
            }

            if (length < PktLine.HeaderLength)
            {
                return Stop(usable: false);
            }

            var line = PktLineScanner.DataOf(packet);
            if (line.Length > 0 && line[^1] == '\n')
            {
                line = line[..^1];
            }

            if (readingOptions)
            {
                pushOptions.Add(Encoding.UTF8.GetString(line));
                return true;
            }

            if (line.StartsWith("shallow "u8))
            {
                return true;
            }

            if (line.StartsWith("push-cert"u8))
            {
                return Stop(usable: false);
            }

            var nul = line.IndexOf((byte)0);
            if (nul >= 0)
            {
                if (updates.Count == 0)
                {
                    foreach (var capability in Encoding.UTF8.GetString(line[(nul + 1)..]).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    {
                        capabilities.Add(capability);
                    }
                }

                line = line[..nul];
            }

            var parts = Encoding.UTF8.GetString(line).Split(' ', 3);
            if (parts.Length != 3 || !IsObjectId(parts[0]) || !IsObjectId(parts[1]) || parts[0].Length != parts[1].Length)
            {
                return Stop(usable: false);
            }

            updates.Add((parts[0], parts[1], parts[2]));
            return true;
        }

        private bool Stop(bool usable)
        {
            this.usable &= usable;
            Done = true;
            return false;
        }
    }
}
