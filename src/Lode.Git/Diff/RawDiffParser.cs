using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;
using Lode.Core.Errors;
using Lode.Git.Commands;

namespace Lode.Git.Diff;

/// <summary>
/// Parses <c>git diff --raw -z</c> output: <c>:srcmode SP dstmode SP srcoid SP dstoid SP status NUL path NUL</c>,
/// with a second path for renames and copies. Paths are NUL-terminated, so they are never quoted.
/// </summary>
public static class RawDiffParser
{
    public static async IAsyncEnumerable<RawDiffEntry> ReadAsync(PipeReader reader,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string[]? header = null;
        byte[]? srcPath = null;
        await foreach (var record in DelimitedRecords.ReadAsync(reader, 0, cancellationToken))
        {
            if (header is null)
            {
                header = ParseHeader(record);
                continue;
            }

            var status = header[4];
            var twoPaths = status.Length > 0 && status[0] is 'R' or 'C';
            if (twoPaths && srcPath is null)
            {
                srcPath = record;
                continue;
            }

            yield return twoPaths
                ? new RawDiffEntry(header[0], header[1], header[2], header[3], status, srcPath!, record)
                : new RawDiffEntry(header[0], header[1], header[2], header[3], status, record, null);
            header = null;
            srcPath = null;
        }

        if (header is not null)
        {
            throw LodeException.Internal("read diff: truncated raw diff record");
        }
    }

    private static string[] ParseHeader(byte[] record)
    {
        var text = Encoding.ASCII.GetString(record);
        var fields = text.Length > 0 && text[0] == ':' ? text[1..].Split(' ') : [];
        if (fields.Length != 5)
        {
            throw LodeException.Internal("read diff: malformed raw diff header").With("header", text);
        }

        return fields;
    }
}
