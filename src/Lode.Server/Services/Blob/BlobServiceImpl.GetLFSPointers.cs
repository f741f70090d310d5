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
    /// Returns, in request order, those of the given blob ids that are LFS pointers. Objects that are not blobs, blobs
    /// over 200 bytes and ids that name nothing are skipped (the proto's contract; Gitaly v16 answered a missing id with
    /// INTERNAL). Object info is looked up first so that a large blob is never read.
    /// </summary>
    public override async Task GetLFSPointers(GetLFSPointersRequest request, IServerStreamWriter<GetLFSPointersResponse> responseStream,
        ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var repository = resolver.Resolve(request.Repository);
        if (request.BlobIds.Count == 0)
        {
            throw LodeException.InvalidArgument("empty BlobIds");
        }

        var writer = new ChunkedWriter<GetLFSPointersResponse, LFSPointer>(responseStream,
            static () => new GetLFSPointersResponse(), static (m, p) => m.LfsPointers.Add(p));
        await using var lease = await objects.GetAsync(repository, context);
        var candidates = new List<string>();
        await foreach (var (_, info) in ObjectStreamPipeline.InfoAsync(lease.Reader, Requestable(request.BlobIds), static id => id, cancellationToken))
        {
            if (info is { Type: ObjectTypes.Blob, Size: <= LfsPointer.MaxSize })
            {
                candidates.Add(info.Oid);
            }
        }

        await foreach (var (_, content) in ObjectStreamPipeline.ContentsAsync(lease.Reader, ToAsync(candidates), static id => id, cancellationToken))
        {
            if (content is not null && await LfsPointerConverter.ReadAsync(content, cancellationToken) is { } pointer)
            {
                await writer.AddAsync(pointer, cancellationToken);
            }
        }

        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>Ids cat-file can be asked about: an empty one or one with NUL or LF can name no object.</summary>
    private static async IAsyncEnumerable<string> Requestable(IEnumerable<string> ids)
    {
        foreach (var id in ids)
        {
            if (id.Length > 0 && !id.Contains('\0', StringComparison.Ordinal) && !id.Contains('\n', StringComparison.Ordinal))
            {
                yield return id;
            }
        }

        await Task.CompletedTask;
    }

    private static async IAsyncEnumerable<string> ToAsync(IEnumerable<string> ids)
    {
        foreach (var id in ids)
        {
            yield return id;
        }

        await Task.CompletedTask;
    }
}
