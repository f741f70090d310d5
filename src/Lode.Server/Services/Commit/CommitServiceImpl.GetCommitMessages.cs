using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.CatFile;
using Lode.Git.Objects;
using Lode.Server.Streaming;

namespace Lode.Server.Services.Commit;

internal sealed partial class CommitServiceImpl
{
    /// <summary>
    /// The whole message of each commit: a first message with only the commit id, then the message in chunks of
    /// 128 KiB (none for an empty message). An id that does not name a commit fails the call, as in Gitaly.
    /// </summary>
    public override async Task GetCommitMessages(GetCommitMessagesRequest request, IServerStreamWriter<GetCommitMessagesResponse> responseStream,
        ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var repository = resolver.Resolve(request.Repository);
        await using var lease = await objects.GetAsync(repository, context);
        var ids = ObjectPipeline.FromList(request.CommitIds);
        await foreach (var (id, obj) in ObjectPipeline.ReadAsync(lease.Reader, ids, static (q, id) => q.RequestContents(id + "^{commit}"),
            ObjectPipeline.DefaultWindow, cancellationToken))
        {
            using (obj)
            {
                if (obj is null || obj.Type != ObjectTypes.Commit)
                {
                    throw LodeException.Internal("failed to get commit message: object not found").With("commit_id", id);
                }

                await responseStream.WriteAsync(new GetCommitMessagesResponse { CommitId = id }, cancellationToken);
                await ByteStreamSender.SendAsync(MessageOf(obj.Content), responseStream,
                    static chunk => new GetCommitMessagesResponse { Message = chunk }, cancellationToken);
            }
        }
    }

    /// <summary>Everything after the first blank line of the raw commit (Gitaly's <c>splitRawCommit</c>).</summary>
    private static ReadOnlyMemory<byte> MessageOf(ReadOnlyMemory<byte> raw)
    {
        var separator = raw.Span.IndexOf("\n\n"u8);
        return separator < 0 ? ReadOnlyMemory<byte>.Empty : raw[(separator + 2)..];
    }
}
