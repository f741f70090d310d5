using System.Buffers.Text;
using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.Commands;
using Lode.Git.Refs;
using Lode.Server.Conversions;

namespace Lode.Server.Services.Commit;

internal sealed partial class CommitServiceImpl
{
    /// <summary>
    /// Line counts of a commit against its first parent (or the empty tree for a root commit) from
    /// <c>git diff --numstat</c>. Binary files add no lines but count as changed files.
    /// </summary>
    public override async Task<CommitStatsResponse> CommitStats(CommitStatsRequest request, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var repository = resolver.Resolve(request.Repository);
        RevisionValidator.Validate(request.Revision.Span);

        GitCommit? commit;
        await using (var lease = await objects.GetAsync(repository, context))
        {
            commit = await CommitLookup.FindAsync(lease.Reader, request.Revision.Memory, cancellationToken);
        }

        if (commit is null)
        {
            throw LodeException.Internal("object not found").With("revision", request.Revision.ToStringUtf8());
        }

        var format = Lode.Git.Objects.ObjectFormat.FromHexLength(commit.Id.Length)
            ?? throw LodeException.Internal("detecting object hash: unknown object format").With("commit_id", commit.Id);
        var from = commit.ParentIds.Count == 0 ? format.EmptyTreeOid : commit.Id + "^";

        await using var diff = await git.Create(repository, GitSubcommand.Diff)
            .Flag("--numstat")
            .EndOfOptions()
            .Arg(from)
            .Arg(commit.Id)
            .StartAsync(cancellationToken);
        long additions = 0;
        long deletions = 0;
        var files = 0;
        await foreach (var line in DelimitedRecords.ReadAsync(diff.StdoutReader, (byte)'\n', cancellationToken))
        {
            if (!TryParseNumstat(line, out var added, out var deleted))
            {
                throw LodeException.Internal("invalid numstat line").With("line", System.Text.Encoding.UTF8.GetString(line));
            }

            files++;
            additions += added;
            deletions += deleted;
        }

        await diff.WaitSuccessAsync(cancellationToken);
        return new CommitStatsResponse
        {
            Oid = commit.Id,
            Additions = unchecked((int)additions),
            Deletions = unchecked((int)deletions),
            Files = files,
        };
    }

    /// <summary>"added TAB deleted TAB path"; binary files show "-" for both counts and add nothing.</summary>
    private static bool TryParseNumstat(ReadOnlySpan<byte> line, out long added, out long deleted)
    {
        added = 0;
        deleted = 0;
        var firstTab = line.IndexOf((byte)'\t');
        if (firstTab < 0)
        {
            return false;
        }

        var rest = line[(firstTab + 1)..];
        var secondTab = rest.IndexOf((byte)'\t');
        if (secondTab < 0)
        {
            return false;
        }

        var addedText = line[..firstTab];
        var deletedText = rest[..secondTab];
        if (addedText.SequenceEqual("-"u8) && deletedText.SequenceEqual("-"u8))
        {
            return true;
        }

        return Utf8Parser.TryParse(addedText, out added, out var a) && a == addedText.Length &&
            Utf8Parser.TryParse(deletedText, out deleted, out var d) && d == deletedText.Length;
    }
}
