using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Lode.Git.Commands;

/// <summary>
/// Splits a child's output into records at a delimiter byte (LF for <c>--format=%H</c> lines, NUL for <c>-z</c>,
/// 0x01 for git log's <c>%x01</c> record marks). Records are raw bytes: nothing is unquoted or decoded.
/// </summary>
public static class DelimitedRecords
{
    /// <summary>
    /// Yields each record without its delimiter, as it arrives. A last record that is not terminated is yielded
    /// too, unless it is empty. Records are copied out of the pipe, so the caller may keep them.
    /// </summary>
    public static async IAsyncEnumerable<byte[]> ReadAsync(PipeReader reader, byte delimiter,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var batch = new List<byte[]>();
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var consumed = Split(buffer, delimiter, batch);
            byte[]? tail = null;
            if (result.IsCompleted && consumed.Length < buffer.Length)
            {
                tail = buffer.Slice(consumed.Length).ToArray();
            }

            reader.AdvanceTo(consumed.End, buffer.End);
            foreach (var record in batch)
            {
                yield return record;
            }

            batch.Clear();
            if (result.IsCompleted)
            {
                if (tail is { Length: > 0 })
                {
                    yield return tail;
                }

                yield break;
            }
        }
    }

    /// <summary>Cuts the complete records off the front of <paramref name="buffer"/>; returns the part consumed.</summary>
    private static ReadOnlySequence<byte> Split(ReadOnlySequence<byte> buffer, byte delimiter, List<byte[]> records)
    {
        var reader = new SequenceReader<byte>(buffer);
        while (reader.TryReadTo(out ReadOnlySequence<byte> record, delimiter))
        {
            records.Add(record.ToArray());
        }

        return buffer.Slice(0, reader.Position);
    }
}
