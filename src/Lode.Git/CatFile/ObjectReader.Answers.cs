using System.Buffers;
using Lode.Core.Errors;
using Lode.Git.Objects;

namespace Lode.Git.CatFile;

// Reading answers from the pipe: headers, buffered contents, delimiters, and the mailmap sentinel of old git.
public sealed partial class ObjectReader
{
    internal async Task<ObjectInfo?> ReadInfoCoreAsync(CancellationToken cancellationToken)
    {
        // Checked before an answer is claimed: a call cancelled before it starts leaves the reader clean.
        cancellationToken.ThrowIfCancellationRequested();
        Begin(CatFileRequestKind.Info);
        try
        {
            var header = await ReadHeaderAsync(cancellationToken);
            return header.Info;
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

    internal async Task<GitObject?> ReadObjectCoreAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Begin(CatFileRequestKind.Contents);
        byte[]? buffer = null;
        try
        {
            var header = await ReadHeaderAsync(cancellationToken);
            sentinelPending = sentinel is not null;
            if (header.Info is not { } info)
            {
                return null;
            }

            if (sentinel is not null && IsMailmapped(info))
            {
                return await ReadUntilSentinelAsync(info, cancellationToken);
            }

            if (info.Size > Array.MaxLength)
            {
                throw LodeException.Internal("cat-file: object too large to buffer").With("oid", info.Oid);
            }

            var size = (int)info.Size;
            buffer = size == 0 ? [] : ArrayPool<byte>.Shared.Rent(size);
            await ReadContentAsync(buffer.AsMemory(0, size), cancellationToken);
            var result = new GitObject(info, buffer);
            buffer = null;
            return result;
        }
        catch
        {
            Poison();
            throw;
        }
        finally
        {
            if (buffer is { Length: > 0 })
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            Volatile.Write(ref busy, 0);
        }
    }

    internal async Task<ObjectContentStream?> OpenObjectCoreAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Begin(CatFileRequestKind.Contents);
        try
        {
            var header = await ReadHeaderAsync(cancellationToken);
            sentinelPending = sentinel is not null;
            if (header.Info is not { } info)
            {
                return null;
            }

            if (sentinel is not null && IsMailmapped(info))
            {
                var buffered = await ReadUntilSentinelAsync(info, cancellationToken);
                return new ObjectContentStream(buffered);
            }

            var stream = new ObjectContentStream(this, info);
            if (info.Size == 0)
            {
                trailerPending = true;
            }
            else
            {
                openStream = stream;
            }

            return stream;
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

    private async ValueTask<CatFileHeader> ReadHeaderAsync(CancellationToken cancellationToken)
    {
        if (trailerPending)
        {
            await ReadTrailerAsync(cancellationToken);
        }

        if (sentinelPending)
        {
            sentinelPending = false;
            if ((await ReadLineHeaderAsync(cancellationToken)).Status != CatFileHeaderStatus.Missing)
            {
                throw LodeException.Internal("cat-file: mailmap sentinel out of step");
            }
        }

        return await ReadLineHeaderAsync(cancellationToken);
    }

    private async ValueTask<CatFileHeader> ReadLineHeaderAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await stdout.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (CatFileProtocol.TryReadHeader(ref buffer, delimiter, out var header))
            {
                stdout.AdvanceTo(buffer.Start);
                return header;
            }

            stdout.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                throw EndOfOutput();
            }
        }
    }

    /// <summary>Fills <paramref name="destination"/> with content, then takes the delimiter if it is already buffered.</summary>
    private async ValueTask ReadContentAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await stdout.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var count = (int)Math.Min(buffer.Length, destination.Length);
            buffer.Slice(0, count).CopyTo(destination.Span);
            destination = destination[count..];
            if (destination.IsEmpty)
            {
                // Usually the delimiter arrived with the content; otherwise the next read takes it.
                if (buffer.Length > count)
                {
                    CheckTrailer(buffer.Slice(count, 1).FirstSpan[0]);
                    stdout.AdvanceTo(buffer.GetPosition(count + 1));
                }
                else
                {
                    stdout.AdvanceTo(buffer.GetPosition(count));
                    trailerPending = true;
                }

                return;
            }

            stdout.AdvanceTo(buffer.GetPosition(count));
            if (result.IsCompleted)
            {
                throw EndOfOutput();
            }
        }
    }

    /// <summary>Only commits and tags carry identities, so only they are rewritten (and mis-sized).</summary>
    private static bool IsMailmapped(ObjectInfo info) => info.Type is ObjectTypes.Commit or ObjectTypes.Tag;

    /// <summary>
    /// Reads a mailmapped commit or tag on git &lt; 2.40 (see <see cref="sentinel"/>): everything up to
    /// <c>delimiter sentinel " missing" delimiter</c>, consuming the sentinel's answer too.
    /// </summary>
    private async Task<GitObject> ReadUntilSentinelAsync(ObjectInfo info, CancellationToken cancellationToken)
    {
        var marker = new byte[sentinel!.Length + 10];
        marker[0] = delimiter;
        sentinel.CopyTo(marker, 1);
        " missing"u8.CopyTo(marker.AsSpan(1 + sentinel.Length));
        marker[^1] = delimiter;
        while (true)
        {
            var result = await stdout.ReadAsync(cancellationToken);
            var reader = new SequenceReader<byte>(result.Buffer);
            if (reader.TryReadTo(out ReadOnlySequence<byte> content, marker))
            {
                var buffer = content.Length == 0 ? [] : ArrayPool<byte>.Shared.Rent((int)content.Length);
                content.CopyTo(buffer);
                stdout.AdvanceTo(reader.Position);
                sentinelPending = false;
                return new GitObject(info with { Size = content.Length }, buffer);
            }

            stdout.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            if (result.IsCompleted)
            {
                throw EndOfOutput();
            }
        }
    }

    private async ValueTask ReadTrailerAsync(CancellationToken cancellationToken)
    {
        var result = await stdout.ReadAsync(cancellationToken);
        var buffer = result.Buffer;
        if (buffer.IsEmpty)
        {
            stdout.AdvanceTo(buffer.End);
            throw EndOfOutput();
        }

        CheckTrailer(buffer.FirstSpan.IsEmpty ? buffer.Slice(0, 1).ToArray()[0] : buffer.FirstSpan[0]);
        stdout.AdvanceTo(buffer.GetPosition(1));
        trailerPending = false;
    }

    private void CheckTrailer(byte value)
    {
        if (value != delimiter)
        {
            throw LodeException.Internal("cat-file: missing delimiter after object content");
        }
    }

    private LodeException EndOfOutput()
    {
        var error = LodeException.Internal("cat-file: unexpected end of output").With("stderr", process.Stderr);
        return requests.Failure is { } failure ? error.With("stdin_error", failure.Message) : error;
    }
}
