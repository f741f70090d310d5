using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.CatFile;
using Lode.Git.Objects;
using Lode.Server.Streaming;

namespace Lode.Server.Services.Blob;

internal sealed partial class BlobServiceImpl
{
    /// <summary>
    /// Streams one blob: the first message carries its size and id, the data follows in 32 KiB chunks, cut at
    /// <c>limit</c> bytes (negative: the whole blob; 0: metadata only). The oid may be any revision cat-file resolves.
    /// Anything that is not a blob, missing or not, is answered with one empty message, as Gitaly does. The blob is
    /// copied from cat-file's pipe to the client chunk by chunk, never held whole.
    /// </summary>
    public override async Task GetBlob(GetBlobRequest request, IServerStreamWriter<GetBlobResponse> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var repository = resolver.Resolve(request.Repository);
        if (request.Oid.Length == 0)
        {
            throw LodeException.InvalidArgument("empty Oid");
        }

        await using var lease = await objects.GetAsync(repository, context);
        using var blob = await lease.Reader.OpenAsync(request.Oid, cancellationToken);
        if (blob is null || blob.Info.Type != ObjectTypes.Blob)
        {
            if (blob is not null)
            {
                await blob.SkipRestIfCheapAsync(cancellationToken);
            }

            await responseStream.WriteAsync(new GetBlobResponse(), cancellationToken);
            return;
        }

        var size = blob.Info.Size;
        var readLimit = request.Limit >= 0 && request.Limit < size ? request.Limit : size;
        GetBlobResponse? first = new() { Size = size, Oid = blob.Info.Oid };
        if (readLimit == 0)
        {
            await responseStream.WriteAsync(first, cancellationToken);
            await blob.SkipRestIfCheapAsync(cancellationToken);
            return;
        }

        using var output = new ResponseChunkStream<GetBlobResponse>(responseStream, data =>
        {
            var message = first ?? new GetBlobResponse();
            first = null;
            message.Data = data;
            return message;
        }, cancellationToken);
        if (await output.CopyFromAsync(blob, readLimit) != readLimit)
        {
            throw LodeException.Internal("send: blob ended early").With("oid", blob.Info.Oid);
        }

        await output.CompleteAsync();
        await blob.SkipRestIfCheapAsync(cancellationToken);
    }
}
