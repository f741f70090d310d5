using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;
using Lode.Core.Storage;
using Lode.Git.Commands;

namespace Lode.Git.Refs;

/// <summary>
/// Runs <c>git for-each-ref</c> and yields its records as they arrive, as raw bytes. Patterns that are not valid
/// UTF-8 cannot be process arguments (git 2.39's for-each-ref has no <c>--stdin</c>), so when there is one, git
/// lists every ref and the patterns and <c>--count</c> are applied here with git's own matching rules
/// (<see cref="RefPatterns"/>); the output is the same either way.
/// </summary>
public static class RefLister
{
    /// <summary>
    /// The records of <paramref name="query"/>, without their LF. Stopping early kills git; a failing git throws
    /// <see cref="GitCommandException"/> once its output is read to the end.
    /// </summary>
    public static async IAsyncEnumerable<byte[]> ListAsync(GitCommandFactory git, RepositoryPaths repository, RefListQuery query,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filterHere = false;
        foreach (var pattern in query.Patterns)
        {
            filterHere |= !Utf8.IsValid(pattern.Span);
        }

        var command = git.Create(repository, GitSubcommand.ForEachRef).Flag("--format=" + query.Format);
        foreach (var flag in query.Flags)
        {
            command.Flag(flag);
        }

        if (query.Count > 0 && !filterHere)
        {
            command.Flag("--count=" + query.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        command.EndOfOptions();
        if (!filterHere)
        {
            foreach (var pattern in query.Patterns)
            {
                command.Arg(Encoding.UTF8.GetString(pattern.Span));
            }
        }

        await using var process = await command.StartAsync(cancellationToken);
        var yielded = 0;
        await foreach (var record in DelimitedRecords.ReadAsync(process.StdoutReader, (byte)'\n', cancellationToken))
        {
            if (filterHere)
            {
                if (!RefPatterns.MatchesAnyForEachRef(query.Patterns, RefName(record)))
                {
                    continue;
                }

                if (query.Count > 0 && yielded == query.Count)
                {
                    yield break;
                }
            }

            yielded++;
            yield return record;
        }

        await process.WaitSuccessAsync(cancellationToken);
    }

    /// <summary>The first field of a record: the ref name.</summary>
    public static ReadOnlySpan<byte> RefName(ReadOnlySpan<byte> record)
    {
        var nul = record.IndexOf((byte)0);
        return nul < 0 ? record : record[..nul];
    }

    /// <summary>Splits a record at its NUL bytes (<c>%00</c> in the format).</summary>
    public static byte[][] SplitFields(byte[] record)
    {
        var count = 1;
        foreach (var b in record)
        {
            count += b == 0 ? 1 : 0;
        }

        var fields = new byte[count][];
        var start = 0;
        for (var i = 0; i < count; i++)
        {
            var nul = Array.IndexOf(record, (byte)0, start);
            var end = nul < 0 ? record.Length : nul;
            fields[i] = record[start..end];
            start = end + 1;
        }

        return fields;
    }
}
