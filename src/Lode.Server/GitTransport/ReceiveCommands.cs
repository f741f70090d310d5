using System.Text;

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

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

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
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        while (true)
        {
            var (complete, commands) = TryParse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
            if (complete || buffer.Length >= MaxLength)
            {
                return (buffer.ToArray(), commands);
            }

            var read = await input.ReadAsync(chunk, cancellationToken);
            if (read == 0)
            {
                return (buffer.ToArray(), null);
            }

            buffer.Write(chunk, 0, read);
        }
    }

    /// <summary>Whether <paramref name="data"/> holds the whole command section; the commands when it does and they are usable.</summary>
    internal static (bool Complete, ReceiveCommands? Commands) TryParse(ReadOnlySpan<byte> data)
    {
        var updates = new List<(string, string, string)>();
        var capabilities = new HashSet<string>(StringComparer.Ordinal);
        var pushOptions = new List<string>();
        var section = 0; // 0: shallow lines and commands, 1: push options
        while (true)
        {
            if (data.Length < 4)
            {
                return (false, null);
            }

            if (!int.TryParse(data[..4], System.Globalization.NumberStyles.AllowHexSpecifier, null, out var length) || length is 1 or 2 or 3)
            {
                return (true, null);
            }

            if (length == 0)
            {
                data = data[4..];
                if (section == 0 && capabilities.Contains("push-options") && updates.Count > 0)
                {
                    section = 1;
                    continue;
                }

                return (true, new ReceiveCommands(updates, capabilities, pushOptions));
            }

            if (data.Length < length)
            {
                return (false, null);
            }

            var line = data[4..length];
            data = data[length..];
            if (line.Length > 0 && line[^1] == '\n')
            {
                line = line[..^1];
            }

            if (section == 1)
            {
                pushOptions.Add(Encoding.UTF8.GetString(line));
                continue;
            }

            if (line.StartsWith("shallow "u8))
            {
                continue;
            }

            if (line.StartsWith("push-cert"u8))
            {
                return (true, null);
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
                return (true, null);
            }

            updates.Add((parts[0], parts[1], parts[2]));
        }
    }

    private static bool IsObjectId(string hex) => hex.Length is 40 or 64 && !hex.AsSpan().ContainsAnyExcept(LowerHex);
}
