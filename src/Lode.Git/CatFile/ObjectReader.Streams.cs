using System.Buffers;

namespace Lode.Git.CatFile;

// Contents read through an ObjectContentStream, straight from the pipe.
public sealed partial class ObjectReader
{
    /// <summary>Copies up to <paramref name="destination"/>'s length of the open stream's content.</summary>
    internal async ValueTask<int> ReadStreamAsync(ObjectContentStream stream, Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (stream.Remaining == 0 || destination.IsEmpty)
        {
            return 0;
        }

        EnterStream(stream);
        try
        {
            var result = await stdout.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var count = (int)Math.Min(Math.Min(buffer.Length, destination.Length), stream.Remaining);
            if (count == 0)
            {
                stdout.AdvanceTo(buffer.Start, buffer.End);
                throw EndOfOutput();
            }

            buffer.Slice(0, count).CopyTo(destination.Span);
            stdout.AdvanceTo(buffer.GetPosition(count));
            Consumed(stream, count);
            return count;
        }
        catch
        {
            Poison();
            throw;
        }
        finally
        {
            Volatile.Write(ref busy, 0);
        }
    }

    /// <summary>Writes the rest of the open stream's content to <paramref name="destination"/> straight from the pipe's buffers.</summary>
    internal async Task CopyStreamAsync(ObjectContentStream stream, Stream destination, CancellationToken cancellationToken)
    {
        if (stream.Remaining == 0)
        {
            return;
        }

        EnterStream(stream);
        try
        {
            while (stream.Remaining > 0)
            {
                var result = await stdout.ReadAsync(cancellationToken);
                var buffer = result.Buffer;
                var count = Math.Min(buffer.Length, stream.Remaining);
                if (count == 0)
                {
                    stdout.AdvanceTo(buffer.Start, buffer.End);
                    throw EndOfOutput();
                }

                var chunk = buffer.Slice(0, count);
                foreach (var segment in chunk)
                {
                    await destination.WriteAsync(segment, cancellationToken);
                }

                stdout.AdvanceTo(chunk.End);
                Consumed(stream, count);
            }
        }
        catch
        {
            Poison();
            throw;
        }
        finally
        {
            Volatile.Write(ref busy, 0);
        }
    }

    /// <summary>A stream was disposed; if its content was not read to the end the reader cannot be reused.</summary>
    internal void CloseStream(ObjectContentStream stream)
    {
        if (openStream == stream)
        {
            Poison();
        }
    }

    private void EnterStream(ObjectContentStream stream)
    {
        if (Interlocked.Exchange(ref busy, 1) != 0)
        {
            throw new InvalidOperationException("cat-file reader used concurrently");
        }

        if (openStream != stream || poisoned)
        {
            Volatile.Write(ref busy, 0);
            throw new InvalidOperationException("cat-file reader is dirty: an earlier read failed or was abandoned");
        }
    }

    private void Consumed(ObjectContentStream stream, long count)
    {
        stream.Remaining -= count;
        if (stream.Remaining == 0)
        {
            openStream = null;
            trailerPending = true;
        }
    }
}
