using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.CatFile;
using Lode.Git.Objects;
using Lode.Git.Refs;
using Lode.Server.Conversions;
using Lode.Server.Streaming;

namespace Lode.Server.Services.Blob;

internal sealed partial class BlobServiceImpl
{
    /// <summary>
    /// Lists the LFS pointers among the blobs reachable from the revisions (rev-list syntax, pseudo revisions allowed),
    /// up to <c>limit</c> pointers (0: all). Only blobs smaller than 200 bytes are read (rev-list's <c>blob:limit</c>
    /// filter). Rails calls this during pushes with the quarantine directories set, so new objects are seen.
    /// </summary>
    public override async Task ListLFSPointers(ListLFSPointersRequest request, IServerStreamWriter<ListLFSPointersResponse> responseStream,
        ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var repository = resolver.Resolve(request.Repository);
        if (request.Revisions.Count == 0)
        {
            throw LodeException.InvalidArgument("missing revisions");
        }

        foreach (var revision in request.Revisions)
        {
            if (RevisionValidator.Check(System.Text.Encoding.UTF8.GetBytes(revision), allowPathScoped: true, allowPseudo: true) is { } problem)
            {
                throw LodeException.InvalidArgument("invalid revision: " + problem).With("revision", revision);
            }
        }

        var writer = new ChunkedWriter<ListLFSPointersResponse, LFSPointer>(responseStream,
            static () => new ListLFSPointersResponse(), static (m, p) => m.LfsPointers.Add(p));
        var walk = ObjectWalk.RevListAsync(git, repository, request.Revisions, LfsPointer.MaxSize, ObjectTypes.Blob, cancellationToken);
        await using var lease = await objects.GetAsync(repository, context);
        var count = 0;
        await foreach (var (item, content) in ObjectStreamPipeline.ContentsAsync(lease.Reader, walk, static o => o.Oid, cancellationToken))
        {
            if (content is null)
            {
                throw LodeException.Internal("object not found").With("oid", item.Oid);
            }

            if (await LfsPointerConverter.ReadAsync(content, cancellationToken) is not { } pointer)
            {
                continue;
            }

            await writer.AddAsync(pointer, cancellationToken);
            if (++count == request.Limit)
            {
                break;
            }
        }

        await writer.FlushAsync(cancellationToken);
    }
}
