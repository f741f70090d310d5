using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.CatFile;
using Lode.Git.Objects;
using Lode.Server.Streaming;
using BlobItem = Gitaly.ListAllBlobsResponse.Types.Blob;

namespace Lode.Server.Services.Blob;

internal sealed partial class BlobServiceImpl
{
    /// <summary>
    /// Lists every blob of the object database, unreachable ones and those of a push quarantine included (the
    /// repository's object directories decide what is seen), in the order cat-file enumerates them, with the same
    /// <c>limit</c> and <c>bytes_limit</c> rules as ListBlobs.
    /// </summary>
    public override async Task ListAllBlobs(ListAllBlobsRequest request, IServerStreamWriter<ListAllBlobsResponse> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var repository = resolver.Resolve(request.Repository);
        var writer = new ChunkedWriter<ListAllBlobsResponse, BlobItem>(responseStream, static () => new ListAllBlobsResponse(), static (m, b) => m.Blobs.Add(b));
        var blobs = ObjectWalk.AllObjectsAsync(git, repository, ObjectTypes.Blob, long.MaxValue, cancellationToken);
        var count = 0u;
        if (request.BytesLimit == 0)
        {
            // cat-file's enumeration already says the size; no object needs reading.
            await foreach (var blob in blobs)
            {
                await writer.AddAsync(new BlobItem { Oid = blob.Oid, Size = blob.Size }, cancellationToken);
                if (++count == request.Limit)
                {
                    break;
                }
            }
        }
        else
        {
            await using var lease = await objects.GetAsync(repository, context);
            await foreach (var (item, content) in ObjectStreamPipeline.ContentsAsync(lease.Reader, blobs, static o => o.Oid, cancellationToken))
            {
                if (content is null)
                {
                    throw LodeException.Internal("processing blobs: object not found").With("oid", item.Oid);
                }

                var readLimit = request.BytesLimit < 0 ? content.Info.Size : request.BytesLimit;
                var header = true;
                await foreach (var piece in DataPieces.ReadAsync(content, readLimit, cancellationToken))
                {
                    await writer.AddAsync(header
                        ? new BlobItem { Oid = content.Info.Oid, Size = content.Info.Size, Data = piece }
                        : new BlobItem { Data = piece }, cancellationToken);
                    header = false;
                }

                if (header)
                {
                    await writer.AddAsync(new BlobItem { Oid = content.Info.Oid, Size = content.Info.Size }, cancellationToken);
                }

                if (++count == request.Limit)
                {
                    break;
                }
            }
        }

        await writer.FlushAsync(cancellationToken);
    }
}
