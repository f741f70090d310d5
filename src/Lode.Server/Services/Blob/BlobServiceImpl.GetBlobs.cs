using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.CatFile;
using Lode.Git.Objects;
using Lode.Git.Refs;
using Lode.Server.Streaming;

namespace Lode.Server.Services.Blob;

internal sealed partial class BlobServiceImpl
{
    /// <summary>
    /// Looks up each revision:path pair in request order and streams what is there, as Gitaly does: a path with nothing
    /// (or not a clean relative path) gets one message with only revision and path; a submodule one with its commit id,
    /// mode and <c>is_submodule</c>; a tree one with its id, mode and size; a blob its metadata in the first message and
    /// its data (up to <c>limit</c> bytes, negative for all) in 32 KiB chunks. A trailing slash on a path is ignored.
    /// </summary>
    public override async Task GetBlobs(GetBlobsRequest request, IServerStreamWriter<GetBlobsResponse> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var repository = resolver.Resolve(request.Repository);
        if (request.RevisionPaths.Count == 0)
        {
            throw LodeException.InvalidArgument("empty RevisionPaths");
        }

        foreach (var revisionPath in request.RevisionPaths)
        {
            RevisionValidator.Validate(System.Text.Encoding.UTF8.GetBytes(revisionPath.Revision));
        }

        await using var lease = await objects.GetAsync(repository, context);
        var reader = lease.Reader;
        var finder = new TreeEntryFinder(reader);
        foreach (var revisionPath in request.RevisionPaths)
        {
            var path = revisionPath.Path.Memory;
            if (path.Length > 1)
            {
                path = path[..(path.Span.TrimEnd((byte)'/').Length)];
            }

            var revision = System.Text.Encoding.UTF8.GetBytes(revisionPath.Revision);
            var entry = await finder.FindAsync(revision, path, cancellationToken);
            var response = new GetBlobsResponse
            {
                Revision = revisionPath.Revision,
                Path = path.Length == revisionPath.Path.Length ? revisionPath.Path : ByteString.CopyFrom(path.Span),
            };
            if (entry is null)
            {
                await responseStream.WriteAsync(response, cancellationToken);
                continue;
            }

            response.Mode = entry.Mode;
            response.Oid = entry.ObjectId;
            switch (entry.ObjectType)
            {
                case ObjectTypes.Commit:
                    response.IsSubmodule = true;
                    response.Type = ObjectType.Commit;
                    await responseStream.WriteAsync(response, cancellationToken);
                    break;
                case ObjectTypes.Tree:
                    var info = await reader.InfoAsync(entry.ObjectId, cancellationToken)
                        ?? throw LodeException.Internal("read object info: object not found").With("oid", entry.ObjectId);
                    response.Size = info.Size;
                    response.Type = ObjectType.Tree;
                    await responseStream.WriteAsync(response, cancellationToken);
                    break;
                default:
                    response.Type = ObjectType.Blob;
                    await SendBlobEntryAsync(reader, response, request.Limit, responseStream, cancellationToken);
                    break;
            }
        }
    }

    /// <summary>A blob entry: metadata with the first chunk of data, the rest of the data after it; the rest of the blob is skipped.</summary>
    private static async Task SendBlobEntryAsync(ObjectReader reader, GetBlobsResponse response, long limit,
        IServerStreamWriter<GetBlobsResponse> responseStream, CancellationToken cancellationToken)
    {
        using var blob = await reader.OpenAsync(response.Oid, cancellationToken)
            ?? throw LodeException.Internal("read object info: object not found").With("oid", response.Oid);
        response.Size = blob.Info.Size;
        var readLimit = limit < 0 || limit > blob.Info.Size ? blob.Info.Size : limit;
        if (readLimit == 0)
        {
            await responseStream.WriteAsync(response, cancellationToken);
        }
        else
        {
            if (blob.Info.Type != ObjectTypes.Blob)
            {
                throw LodeException.Internal("blob got unexpected type").With("oid", response.Oid).With("type", blob.Info.Type);
            }

            GetBlobsResponse? first = response;
            using var output = new ResponseChunkStream<GetBlobsResponse>(responseStream, data =>
            {
                var message = first ?? new GetBlobsResponse();
                first = null;
                message.Data = data;
                return message;
            }, cancellationToken);
            await output.CopyFromAsync(blob, readLimit);
            await output.CompleteAsync();
        }

        // The reader serves the next path, so the rest must be read out of the pipe whatever its size.
        await blob.SkipRestAsync(cancellationToken);
    }
}
