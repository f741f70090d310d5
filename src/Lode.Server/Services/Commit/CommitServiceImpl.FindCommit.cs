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
    /// The commit a revision peels to, read through cat-file; an empty response when it does not resolve to a
    /// commit. Trailers come from <c>git show --format=%(trailers:unfold,separator=%x00)</c>, as in Gitaly, so
    /// that git's own trailer rules decide what a trailer is.
    /// </summary>
    public override async Task<FindCommitResponse> FindCommit(FindCommitRequest request, ServerCallContext context)
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
            return new FindCommitResponse();
        }

        if (request.Trailers)
        {
            // The commit id rather than the revision, so that a tag name still gets its commit's trailers.
            var output = await git.Create(repository, GitSubcommand.Show)
                .Flags("--format=%(trailers:unfold,separator=%x00)", "--no-patch")
                .EndOfOptions()
                .Arg(commit.Id)
                .RunAsync(cancellationToken);
            var text = output.AsSpan();
            var newline = text.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                if (newline + 1 < text.Length)
                {
                    throw LodeException.Internal("git show produced more than one line of output");
                }

                text = text[..newline];
            }

            commit.Trailers.AddRange(CommitTrailers.Parse(text));
        }

        return new FindCommitResponse { Commit = commit };
    }
}
