using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.Commands;
using Lode.Git.Objects;
using Lode.Git.Refs;
using Lode.Server.Streaming;

namespace Lode.Server.Services.Commit;

internal sealed partial class CommitServiceImpl
{
    /// <summary>
    /// The paths of all blobs (files and symlinks, not submodules) in the tree of a revision, from
    /// <c>git ls-tree -r -z --full-tree --full-name</c>, streamed in messages of up to 1 MiB. An empty revision
    /// means the default branch. A revision that does not resolve gives one empty message, as in Gitaly.
    /// </summary>
    public override async Task ListFiles(ListFilesRequest request, IServerStreamWriter<ListFilesResponse> responseStream,
        ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var repository = resolver.Resolve(request.Repository);
        RevisionValidator.Validate(request.Revision.Span, allowEmpty: true);

        // Gitaly checks with rev-parse --verify; cat-file resolves names the same way, without a process. ls-tree
        // then gets the object id, which also carries a revision that is not UTF-8 to it intact.
        string oid;
        await using (var lease = await objects.GetAsync(repository, context))
        {
            var revision = request.Revision.ToByteArray();
            if (revision.Length == 0)
            {
                try
                {
                    revision = await DefaultBranch.ResolveAsync(git, repository, lease.Reader, cancellationToken);
                }
                catch (GitCommandException)
                {
                    // A detached HEAD: Gitaly cannot name a default branch either.
                    throw LodeException.NotFound("revision not found \"\"");
                }

                if (revision.Length == 0)
                {
                    throw LodeException.FailedPrecondition("repository does not have a default branch");
                }
            }

            var info = await lease.Reader.InfoAsync(revision, cancellationToken);
            if (info is null)
            {
                await responseStream.WriteAsync(new ListFilesResponse(), cancellationToken);
                return;
            }

            oid = info.Oid;
        }

        var writer = new ChunkedWriter<ListFilesResponse, ListFilesResponse>(responseStream,
            static () => new ListFilesResponse(), static (message, item) => message.Paths.Add(item.Paths[0]));
        await using var lsTree = await git.Create(repository, GitSubcommand.LsTree)
            .Flags("-z", "-r", "--full-tree", "--full-name")
            .EndOfOptions()
            .Arg(oid)
            .StartAsync(cancellationToken);
        await foreach (var record in DelimitedRecords.ReadAsync(lsTree.StdoutReader, 0, cancellationToken))
        {
            var entry = LsTreeEntry.Parse(record);
            if (entry.Type != ObjectTypes.Blob)
            {
                continue;
            }

            // One path per item, so that message boundaries fall where Gitaly's chunker puts them.
            var item = new ListFilesResponse();
            item.Paths.Add(ByteString.CopyFrom(entry.Path));
            await writer.AddAsync(item, cancellationToken);
        }

        await lsTree.WaitSuccessAsync(cancellationToken);
        await writer.FlushAsync(cancellationToken);
    }
}
