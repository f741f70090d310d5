using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.CatFile;
using Lode.Git.Commands;
using Lode.Git.Refs;
using Lode.Server.Conversions;
using Lode.Server.Errors;
using Lode.Server.Streaming;

namespace Lode.Server.Services.Commit;

internal sealed partial class CommitServiceImpl
{
    /// <summary>
    /// Deprecated git-log query: <c>git log</c> with Gitaly's flags prints one record per commit (the id, and on
    /// request trailers, decorations and short stats), and the commits are read through the cat-file window. The
    /// offset is applied by skipping records when following renames, because <c>--follow</c> and <c>--skip</c> do
    /// not combine. A git failure before any commit was sent becomes NOT_FOUND with a FindCommitsError detail.
    /// </summary>
    public override async Task FindCommits(FindCommitsRequest request, IServerStreamWriter<FindCommitsResponse> responseStream,
        ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var repository = resolver.Resolve(request.Repository);
        RevisionValidator.Validate(request.Revision.Span, allowEmpty: true);

        // Gitaly passes the revision argument whenever it is set, and falls back to the default branch when it is not
        // and the request does not ask for all references. An empty default branch (no branches) is passed as "".
        await using var lease = await objects.GetAsync(repository, context);
        // (The cast matters: a bare null would become an empty ReadOnlyMemory through byte[]'s conversion.)
        var revision = request.Revision.IsEmpty ? (ReadOnlyMemory<byte>?)null : request.Revision.Memory;
        if (revision is null && !request.All)
        {
            try
            {
                revision = await DefaultBranch.ResolveAsync(git, repository, lease.Reader, cancellationToken);
            }
            catch (LodeException e)
            {
                throw LodeException.Wrap("defaultBranchName", e);
            }
        }

        foreach (var path in request.Paths)
        {
            if (path.IsEmpty)
            {
                throw LodeException.InvalidArgument("path is empty string");
            }
        }

        if (request.Limit == 0)
        {
            return;
        }

        var shortStat = request.IncludeShortstat;
        var trailers = request.Trailers;
        var refs = request.IncludeReferencedBy.Count > 0;
        var manualOffset = request.Follow && request.Offset > 0;
        var command = git.Create(repository, GitSubcommand.Log).Flag(LogFormat(shortStat, trailers, refs));
        AddFindCommitsFlags(command, request, manualOffset);
        var paths = new List<ReadOnlyMemory<byte>>(request.Paths.Count);
        foreach (var path in request.Paths)
        {
            paths.Add(path.Memory);
        }

        var stdin = RevisionArguments.Add(command, revision is { } r ? [r] : [], paths);

        var writer = new ChunkedWriter<FindCommitsResponse, GitCommit>(responseStream,
            static () => new FindCommitsResponse(), static (m, c) => m.Commits.Add(c));
        var sent = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await using var log = await command.StartAsync(stop.Token);
        var stdinWrite = RevisionArguments.WriteStdinAsync(log, stdin, stop.Token);
        var records = LogRecords(log, shortStat, trailers, refs, manualOffset ? request.Offset : 0, stop.Token);
        var source = ObjectPipeline.Buffer(records, CommitStream.ChannelCapacity, stop.Token, out var producer);
        var completed = false;
        try
        {
            await foreach (var (record, commit) in CommitStream.ReadCommitsAsync(lease.Reader, source,
                static (q, record) => q.RequestContents(record.Oid + "^{commit}"), cancellationToken))
            {
                if (commit is null)
                {
                    throw LodeException.Internal("listing commits failed: cat-file get commit: object not found").With("commit_id", record.Oid);
                }

                if (record.ReferencedBy is { } referencedBy)
                {
                    commit.ReferencedBy.AddRange(referencedBy);
                }

                if (record.Trailers is { } trailerText)
                {
                    commit.Trailers.AddRange(CommitTrailers.Parse(trailerText));
                }

                if (record.Stats is { } stats)
                {
                    commit.ShortStats = stats;
                }

                await writer.AddAsync(commit, cancellationToken);
                sent++;
            }

            completed = true;
        }
        finally
        {
            if (!completed)
            {
                await CommitStream.StopAsync(stop, producer, stdinWrite);
            }
        }

        await producer;
        await stdinWrite;
        await writer.FlushAsync(cancellationToken);
        var exitCode = await log.WaitAsync(cancellationToken);
        if (exitCode != 0)
        {
            throw LogError(revision?.ToArray() ?? [], sent, exitCode, log.Stderr);
        }
    }

    private static string LogFormat(bool shortStat, bool trailers, bool refs)
    {
        // With short stats each commit takes several lines, so records are split at %x01 instead of LF.
        var format = shortStat ? "--format=%x01%H" : "--format=%H";
        if (trailers)
        {
            format += "%x00%(trailers:unfold,separator=%x00)";
        }

        if (refs)
        {
            // 0x02 keeps the decorations apart from the trailers.
            format += "%x02%D";
        }

        return format;
    }

    private static void AddFindCommitsFlags(GitCommandBuilder command, FindCommitsRequest request, bool manualOffset)
    {
        if (request.Offset > 0 && !manualOffset)
        {
            command.Flag("--skip=" + request.Offset.ToString(CultureInfo.InvariantCulture));
        }

        // Go adds the two int32 and so wraps around on overflow; so does unchecked C#.
        var maxCount = manualOffset ? unchecked(request.Limit + request.Offset) : request.Limit;
        command.Flag("--max-count=" + maxCount.ToString(CultureInfo.InvariantCulture));
        if (request.Follow && request.Paths.Count > 0)
        {
            command.Flag("--follow");
        }

        if (!request.Author.IsEmpty)
        {
            command.Flag("--author=" + request.Author.ToStringUtf8());
        }

        if (request.SkipMerges)
        {
            command.Flag("--no-merges");
        }

        if (request.Before is { } before)
        {
            command.Flag("--before=" + TimestampText.ProtoText(before));
        }

        if (request.After is { } after)
        {
            command.Flag("--after=" + TimestampText.ProtoText(after));
        }

        if (request.All)
        {
            command.Flags("--all", "--reverse");
        }

        if (request.FirstParent)
        {
            command.Flag("--first-parent");
        }

        if (request.Order == FindCommitsRequest.Types.Order.Topo)
        {
            command.Flag("--topo-order");
        }

        if (request.IncludeShortstat)
        {
            command.Flag("--shortstat");
        }

        if (request.IncludeReferencedBy.Count > 0)
        {
            command.Flag("--decorate=full");
            foreach (var pattern in request.IncludeReferencedBy)
            {
                command.Flag("--decorate-refs=" + pattern.ToStringUtf8());
            }
        }

        if (request.MessageRegex.Length > 0)
        {
            command.Flag("--grep=" + request.MessageRegex);
        }

        if (request.GlobalOptions?.LiteralPathspecs == true)
        {
            command.Env("GIT_LITERAL_PATHSPECS", "1");
        }
    }

    /// <summary>The records of git log's output, the first <paramref name="skip"/> left out (the manual offset).</summary>
    private static async IAsyncEnumerable<LogRecord> LogRecords(GitProcess log, bool shortStat, bool trailers, bool refs, int skip,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var delimiter = shortStat ? (byte)0x01 : (byte)'\n';
        await foreach (var raw in DelimitedRecords.ReadAsync(log.StdoutReader, delimiter, cancellationToken))
        {
            var text = raw.AsSpan().Trim(" \t\n\v\f\r"u8);
            if (text.IsEmpty)
            {
                // The output starts with the first record's 0x01.
                continue;
            }

            if (skip > 0)
            {
                skip--;
                continue;
            }

            yield return LogRecord.Parse(text, shortStat, trailers, refs);
        }
    }

    /// <summary>Gitaly's <c>wrapGitLogCmdError</c>: which git failure became which answer.</summary>
    private static LodeException LogError(byte[] revision, int sent, int exitCode, string stderr)
    {
        if (sent == 0)
        {
            FindCommitsError? detail = null;
            if (AmbiguousArgument().IsMatch(stderr) || BadRevision().IsMatch(stderr))
            {
                detail = new FindCommitsError { AmbiguousRef = new AmbiguousReferenceError { Reference = ByteString.CopyFrom(revision) } };
            }
            else if (BadObject().Match(stderr) is { Success: true } badObject)
            {
                detail = new FindCommitsError { BadObject = new BadObjectError { BadOid = ByteString.CopyFromUtf8(badObject.Groups[1].Value) } };
            }
            else if (InvalidRange().IsMatch(stderr))
            {
                detail = new FindCommitsError { InvalidRange = new InvalidRevisionRange { Range = ByteString.CopyFrom(revision) } };
            }

            if (detail is not null)
            {
                var notFound = new StructuredException(ErrorCode.NotFound, "commits not found", detail);
                notFound.With("error", "exit status " + exitCode.ToString(CultureInfo.InvariantCulture)).With("stderr", stderr);
                return notFound;
            }
        }

        return LodeException.Internal("listing commits failed")
            .With("error", "exit status " + exitCode.ToString(CultureInfo.InvariantCulture)).With("stderr", stderr);
    }

    [GeneratedRegex(@"fatal: ambiguous argument '.*': unknown revision or path not in the working tree.")]
    private static partial Regex AmbiguousArgument();

    [GeneratedRegex(@"fatal: bad object ([0-9a-g]+)")]
    private static partial Regex BadObject();

    [GeneratedRegex(@"fatal: Invalid revision range [0-9a-g]+\.\.[0-9a-g]+")]
    private static partial Regex InvalidRange();

    [GeneratedRegex(@"^fatal: bad revision '.*'\n$")]
    private static partial Regex BadRevision();

    /// <summary>One commit of FindCommits' git log output: its id and what the format asked for besides.</summary>
    private sealed record LogRecord(string Oid, byte[]? Trailers, List<ByteString>? ReferencedBy, CommitStatInfo? Stats)
    {
        public static LogRecord Parse(ReadOnlySpan<byte> text, bool shortStat, bool trailers, bool refs)
        {
            CommitStatInfo? stats = null;
            if (shortStat)
            {
                var newline = text.IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    stats = ParseStats(text[(newline + 1)..]);
                    text = text[..newline];
                }
            }

            List<ByteString>? referencedBy = null;
            if (refs)
            {
                var mark = text.IndexOf((byte)0x02);
                if (mark >= 0)
                {
                    referencedBy = ParseDecorations(text[(mark + 1)..]);
                    text = text[..mark];
                }
            }

            byte[]? trailerText = null;
            if (trailers)
            {
                var nul = text.IndexOf((byte)0);
                if (nul >= 0)
                {
                    trailerText = text[(nul + 1)..].ToArray();
                    text = text[..nul];
                }
            }

            return new LogRecord(Encoding.ASCII.GetString(text), trailerText, referencedBy, stats);
        }

        /// <summary>
        /// <c>%D</c> with <c>--decorate=full</c>: "HEAD -> refs/heads/main, tag: refs/tags/v1, refs/heads/x". Tags lose
        /// their "tag: " label and "HEAD -> branch" gives both names.
        /// </summary>
        private static List<ByteString> ParseDecorations(ReadOnlySpan<byte> line)
        {
            var result = new List<ByteString>();
            while (true)
            {
                var comma = line.IndexOf(", "u8);
                var item = comma < 0 ? line : line[..comma];
                if (!item.IsEmpty)
                {
                    if (item.StartsWith("tag: "u8))
                    {
                        item = item[5..];
                    }

                    var arrow = item.IndexOf(" -> "u8);
                    if (arrow >= 0)
                    {
                        result.Add(ByteString.CopyFrom(item[..arrow]));
                        result.Add(ByteString.CopyFrom(item[(arrow + 4)..]));
                    }
                    else
                    {
                        result.Add(ByteString.CopyFrom(item));
                    }
                }

                if (comma < 0)
                {
                    return result;
                }

                line = line[(comma + 2)..];
            }
        }

        private static CommitStatInfo ParseStats(ReadOnlySpan<byte> text)
        {
            var line = Encoding.Latin1.GetString(text);
            var match = ShortStat().Match(line);
            if (!match.Success)
            {
                throw LodeException.Internal("get stats: unexpected stats format").With("stats", line);
            }

            return new CommitStatInfo
            {
                ChangedFiles = ParseCount(match.Groups[1].Value, "parsing file count"),
                Additions = match.Groups[3].Success ? ParseCount(match.Groups[3].Value, "parsing additions") : 0,
                Deletions = match.Groups[5].Success ? ParseCount(match.Groups[5].Value, "parsing deletions") : 0,
            };
        }

        private static int ParseCount(string value, string what) =>
            int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
                ? count
                : throw LodeException.Internal("get stats: " + what).With("value", value);
    }

    [GeneratedRegex(@"\s(\d+)\sfiles? changed(,\s(\d+)\sinsertions?\(\+\))?(,\s(\d+)\sdeletions?\(-\))?")]
    private static partial Regex ShortStat();
}
