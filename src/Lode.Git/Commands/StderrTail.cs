using System.Text;

namespace Lode.Git.Commands;

/// <summary>
/// Keeps the last <c>capacity</c> bytes a child wrote to stderr: enough to explain a failure, bounded so a noisy
/// child cannot grow the server's memory. git prints its fatal message last, so the tail is the useful part.
/// </summary>
internal sealed class StderrTail(int capacity)
{
    private readonly byte[] buffer = new byte[Math.Max(1, capacity)];
    private readonly Lock gate = new();
    private long written;

    public void Append(ReadOnlySpan<byte> data)
    {
        lock (gate)
        {
            if (data.Length >= buffer.Length)
            {
                data[^buffer.Length..].CopyTo(buffer);
                written += data.Length;
                // Re-align so the ring starts at position 0.
                var shift = (int)(written % buffer.Length);
                if (shift != 0)
                {
                    var copy = buffer.ToArray();
                    for (var i = 0; i < buffer.Length; i++)
                    {
                        buffer[(i + shift) % buffer.Length] = copy[i];
                    }
                }

                return;
            }

            foreach (var b in data)
            {
                buffer[written % buffer.Length] = b;
                written++;
            }
        }
    }

    public bool Truncated
    {
        get
        {
            lock (gate)
            {
                return written > buffer.Length;
            }
        }
    }

    public byte[] ToArray()
    {
        lock (gate)
        {
            if (written <= buffer.Length)
            {
                return buffer[..(int)written];
            }

            var start = (int)(written % buffer.Length);
            var result = new byte[buffer.Length];
            buffer.AsSpan(start).CopyTo(result);
            buffer.AsSpan(0, start).CopyTo(result.AsSpan(buffer.Length - start));
            return result;
        }
    }

    public override string ToString() => Encoding.UTF8.GetString(ToArray());
}
