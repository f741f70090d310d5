using System.Text;
using System.Text.Unicode;
using Lode.Core.Errors;

namespace Lode.Git.Commands;

/// <summary>
/// Puts revisions and pathspecs of a rev-list or log command where git can read them byte for byte. Process
/// arguments are strings, so a revision or path that is not valid UTF-8 (a Latin-1 branch name, a legacy file
/// name) cannot be an argument: such revisions, and then all paths, go on stdin after <c>--stdin</c>, where git
/// reads one per line and paths after a <c>--</c> line. Everything else stays an argument, so a command
/// without odd names runs exactly as Gitaly runs it.
/// </summary>
/// <remarks>
/// git reads stdin at the point where <c>--stdin</c> appears, before the remaining arguments, and a command
/// that was given <c>--stdin</c> no longer defaults to HEAD when nothing was read; hence stdin is only used when
/// it is needed. Lines on stdin cannot hold LF, and git refuses lines starting with '-' there.
/// </remarks>
public static class RevisionArguments
{
    /// <summary>
    /// Adds <paramref name="revisions"/> and <paramref name="paths"/> to <paramref name="command"/>, after the
    /// caller's flags, and returns what must be written to the child's stdin (null when nothing).
    /// </summary>
    /// <param name="endOfOptions">Put <c>--end-of-options</c> before the revisions.</param>
    public static byte[]? Add(GitCommandBuilder command, IReadOnlyList<ReadOnlyMemory<byte>> revisions,
        IReadOnlyList<ReadOnlyMemory<byte>> paths, bool endOfOptions = true)
    {
        List<ReadOnlyMemory<byte>>? stdinRevisions = null;
        foreach (var revision in revisions)
        {
            if (!Utf8.IsValid(revision.Span))
            {
                (stdinRevisions ??= []).Add(revision);
            }
        }

        var pathsOnStdin = false;
        foreach (var path in paths)
        {
            pathsOnStdin |= !Utf8.IsValid(path.Span);
        }

        byte[]? stdin = null;
        if (stdinRevisions is not null || pathsOnStdin)
        {
            stdin = StdinPayload(stdinRevisions ?? [], pathsOnStdin ? paths : []);
            command.Flag("--stdin").WithStdin();
        }

        if (endOfOptions)
        {
            command.EndOfOptions();
        }

        foreach (var revision in revisions)
        {
            if (Utf8.IsValid(revision.Span))
            {
                command.Arg(Encoding.UTF8.GetString(revision.Span));
            }
        }

        if (!pathsOnStdin && paths.Count > 0)
        {
            var list = new List<string>(paths.Count);
            foreach (var path in paths)
            {
                list.Add(Encoding.UTF8.GetString(path.Span));
            }

            command.Paths(list);
        }

        return stdin;
    }

    /// <summary>
    /// Writes <paramref name="payload"/> to the child's stdin and closes it. A child that exits before reading
    /// everything breaks the pipe; that is not an error here, its exit status tells what happened.
    /// </summary>
    public static async Task WriteStdinAsync(GitProcess process, byte[]? payload, CancellationToken cancellationToken)
    {
        if (payload is null)
        {
            return;
        }

        try
        {
            await process.Stdin.WriteAsync(payload, cancellationToken);
            await process.Stdin.FlushAsync(cancellationToken);
        }
        catch (IOException)
        {
            // The child went away; WaitAsync reports why.
        }

        process.CloseStdin();
    }

    private static byte[] StdinPayload(List<ReadOnlyMemory<byte>> revisions, IReadOnlyList<ReadOnlyMemory<byte>> paths)
    {
        using var payload = new MemoryStream();
        foreach (var revision in revisions)
        {
            WriteLine(payload, revision.Span, "revision");
        }

        if (paths.Count > 0)
        {
            payload.Write("--\n"u8);
            foreach (var path in paths)
            {
                WriteLine(payload, path.Span, "path");
            }
        }

        return payload.ToArray();
    }

    private static void WriteLine(MemoryStream payload, ReadOnlySpan<byte> line, string what)
    {
        if (line.Contains((byte)'\n') || line.Contains((byte)0))
        {
            throw LodeException.InvalidArgument(what + " contains a newline or NUL byte");
        }

        payload.Write(line);
        payload.WriteByte((byte)'\n');
    }
}
