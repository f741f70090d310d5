using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Gitaly;
using Lode.Git.CatFile;
using Lode.Git.Commands;
using Lode.Git.Objects;

namespace Lode.Server.Conversions;

/// <summary>
/// The rev-list/log → cat-file pipeline behind the history RPCs (Gitaly's gitpipe): a git child lists commit
/// ids, a bounded channel buffers them, and <see cref="ObjectPipeline"/> reads the commits with a window of
/// requests in flight. Nothing holds the whole list, and no commit costs a process or a round trip.
/// </summary>
public static class CommitStream
{
    /// <summary>Ids buffered between the git child and the cat-file window.</summary>
    public const int ChannelCapacity = 1024;

    /// <summary>
    /// The object ids a child prints one per line (<c>rev-list</c>, <c>log --format=%H</c>): the first word of each
    /// line, so <c>rev-list --objects</c> style "oid name" lines work too.
    /// </summary>
    public static async IAsyncEnumerable<string> ObjectIdsAsync(PipeReader stdout, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var line in DelimitedRecords.ReadAsync(stdout, (byte)'\n', cancellationToken))
        {
            var space = Array.IndexOf(line, (byte)' ');
            yield return Encoding.ASCII.GetString(line, 0, space < 0 ? line.Length : space);
        }
    }

    /// <summary>
    /// Reads the commit each item names, in item order. The commit is null when git reports the object missing
    /// or it is not a commit (the request should peel with <c>^{commit}</c> when tags may appear).
    /// </summary>
    /// <param name="window">Requests in flight; a caller that stops after a page limit passes a smaller one so
    /// that few unread answers are left to drain.</param>
    public static async IAsyncEnumerable<(T Item, GitCommit? Commit)> ReadCommitsAsync<T>(ObjectReader reader, ChannelReader<T> source,
        Action<ObjectQueue, T> request, [EnumeratorCancellation] CancellationToken cancellationToken, int window = ObjectPipeline.DefaultWindow)
    {
        await foreach (var (item, obj) in ObjectPipeline.ReadAsync(reader, source, request, window, cancellationToken))
        {
            GitCommit? commit;
            using (obj)
            {
                commit = obj is null || obj.Type != ObjectTypes.Commit ? null : CommitConverter.ToProto(obj.Oid, CommitParser.Parse(obj.Span));
            }

            yield return (item, commit);
        }
    }

    /// <summary>
    /// Gitaly's <c>sendCommits</c> (FindAllCommits, CommitsByMessage): runs <c>git log --pretty=%H …</c> and hands
    /// each listed commit to <paramref name="send"/>. Returns git's exit status, which Gitaly only logs: a
    /// revision that does not resolve gives an empty answer, not an error. A listed commit that cannot be read
    /// is an error ("could not retrieve commit").
    /// </summary>
    public static async Task<(int ExitCode, string Stderr)> SendLogAsync(GitCommandBuilder command, byte[]? stdin, ObjectReader reader,
        Func<GitCommit, Task> send, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await using var log = await command.StartAsync(stop.Token);
        var stdinWrite = RevisionArguments.WriteStdinAsync(log, stdin, stop.Token);
        var ids = ObjectPipeline.Buffer(ObjectIdsAsync(log.StdoutReader, stop.Token), ChannelCapacity, stop.Token, out var producer);
        var completed = false;
        try
        {
            await foreach (var (id, commit) in ReadCommitsAsync(reader, ids, static (q, id) => q.RequestContents(id + "^{commit}"), cancellationToken))
            {
                if (commit is null)
                {
                    throw Core.Errors.LodeException.Internal("could not retrieve commit").With("commit_id", id);
                }

                await send(commit);
            }

            completed = true;
        }
        finally
        {
            if (!completed)
            {
                await StopAsync(stop, producer, stdinWrite);
            }
        }

        await producer;
        await stdinWrite;
        return (await log.WaitAsync(cancellationToken), log.Stderr);
    }

    /// <summary>
    /// Ends a producer started with <see cref="ObjectPipeline.Buffer{T}"/> and the stdin writer of its child when the
    /// consumer stopped early or failed: cancels them (which kills the child if it still runs) and waits for both.
    /// On the normal path await them instead, then the child's exit.
    /// </summary>
    public static async Task StopAsync(CancellationTokenSource stop, Task producer, Task stdinWrite)
    {
        await stop.CancelAsync();
        await producer;
        try
        {
            await stdinWrite;
        }
        catch (OperationCanceledException)
        {
            // The call ended while the child's input was still being written.
        }
    }
}
