using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.CatFile;
using Lode.Git.Objects;
using Lode.Git.Refs;
using Lode.Server.Streaming;
using BlobItem = Gitaly.ListBlobsResponse.Types.Blob;

namespace Lode.Server.Services.Blob;

internal sealed partial class BlobServiceImpl
{
    /// <summary>
    /// Lists the blobs reachable from the revisions (rev-list syntax: ranges, <c>^rev</c>, <c>rev:path</c>, and the
    /// pseudo revisions <c>--all</c>, <c>--not</c>, <c>--branches</c>, <c>--tags</c>, <c>--glob=</c>) in rev-list's
    /// commit order, up to <c>limit</c> blobs (0: all). Each blob carries up to <c>bytes_limit</c> bytes of data
    /// (0: none, negative: all); data beyond a 32 KiB piece continues in items with an empty oid. With
    /// <c>with_paths</c>, the path at which rev-list first saw the blob is set on every item of it.
    /// </summary>
    public override async Task ListBlobs(ListBlobsRequest request, IServerStreamWriter<ListBlobsResponse> responseStream, ServerCallContext context)
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

        var writer = new ChunkedWriter<ListBlobsResponse, BlobItem>(responseStream, static () => new ListBlobsResponse(), static (m, b) => m.Blobs.Add(b));
        var walk = ObjectWalk.RevListAsync(git, repository, request.Revisions, blobLimit: null, ObjectTypes.Blob, cancellationToken);
        await using var lease = await objects.GetAsync(repository, context);
        var count = 0u;
        if (request.BytesLimit == 0)
        {
            await foreach (var (item, info) in ObjectStreamPipeline.InfoAsync(lease.Reader, walk, static o => o.Oid, cancellationToken))
            {
                if (info is null)
                {
                    throw LodeException.Internal("processing blobs: object not found").With("oid", item.Oid);
                }

                await writer.AddAsync(new BlobItem { Oid = info.Oid, Size = info.Size, Path = PathOf(item, request.WithPaths) }, cancellationToken);
                if (++count == request.Limit)
                {
                    break;
                }
            }
        }
        else
        {
            await foreach (var (item, content) in ObjectStreamPipeline.ContentsAsync(lease.Reader, walk, static o => o.Oid, cancellationToken))
            {
                if (content is null)
                {
                    throw LodeException.Internal("processing blobs: object not found").With("oid", item.Oid);
                }

                var path = PathOf(item, request.WithPaths);
                var readLimit = request.BytesLimit < 0 ? content.Info.Size : request.BytesLimit;
                var header = true;
                await foreach (var piece in DataPieces.ReadAsync(content, readLimit, cancellationToken))
                {
                    await writer.AddAsync(header
                        ? new BlobItem { Oid = content.Info.Oid, Size = content.Info.Size, Data = piece, Path = path }
                        : new BlobItem { Data = piece, Path = path }, cancellationToken);
                    header = false;
                }

                if (header)
                {
                    await writer.AddAsync(new BlobItem { Oid = content.Info.Oid, Size = content.Info.Size, Path = path }, cancellationToken);
                }

                if (++count == request.Limit)
                {
                    break;
                }
            }
        }

        await writer.FlushAsync(cancellationToken);
    }

    private static ByteString PathOf(ListedObject item, bool withPaths) =>
        withPaths && item.Name is { } name ? ByteString.CopyFrom(name) : ByteString.Empty;
}
