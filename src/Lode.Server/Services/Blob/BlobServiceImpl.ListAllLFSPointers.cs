using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.CatFile;
using Lode.Git.Objects;
using Lode.Server.Conversions;
using Lode.Server.Streaming;

namespace Lode.Server.Services.Blob;

internal sealed partial class BlobServiceImpl
{
    /// <summary>
    /// Lists every LFS pointer of the object database, unreachable ones and those of a push quarantine included, up to
    /// <c>limit</c> (0: all). Only blobs of at most 200 bytes are read.
    /// </summary>
    public override async Task ListAllLFSPointers(ListAllLFSPointersRequest request, IServerStreamWriter<ListAllLFSPointersResponse> responseStream,
        ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var repository = resolver.Resolve(request.Repository);
        var writer = new ChunkedWriter<ListAllLFSPointersResponse, LFSPointer>(responseStream,
            static () => new ListAllLFSPointersResponse(), static (m, p) => m.LfsPointers.Add(p));
        var candidates = ObjectWalk.AllObjectsAsync(git, repository, ObjectTypes.Blob, LfsPointer.MaxSize, cancellationToken);
        await using var lease = await objects.GetAsync(repository, context);
        var count = 0;
        await foreach (var (item, content) in ObjectStreamPipeline.ContentsAsync(lease.Reader, candidates, static o => o.Oid, cancellationToken))
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
