using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.Objects;
using Lode.Server.Conversions;
using Lode.Server.Streaming;

namespace Lode.Server.Services.Ref;

internal sealed partial class RefServiceImpl
{
    /// <summary>
    /// The whole message of each annotated tag, untrimmed and with any signature: first a message with only
    /// tag_id, then the message in chunks of at most 128 KiB (none when it is empty). An id that is not an
    /// annotated tag fails the call (INTERNAL, as in Gitaly).
    /// </summary>
    public override async Task GetTagMessages(GetTagMessagesRequest request, IServerStreamWriter<GetTagMessagesResponse> responseStream,
        ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository);
        var cancellationToken = context.CancellationToken;
        await using var lease = await objects.GetAsync(paths, context);
        foreach (var tagId in request.TagIds)
        {
            byte[] message;
            try
            {
                using var obj = await lease.Reader.ReadAsync(tagId, cancellationToken)
                    ?? throw LodeException.Internal("object not found").With("tag_id", tagId);
                if (obj.Type != ObjectTypes.Tag)
                {
                    throw LodeException.Internal("expected tag, got " + obj.Type).With("tag_id", tagId);
                }

                message = TagConverter.Parse(obj.Oid, obj.Span, [], out _).Message.ToByteArray();
            }
            catch (LodeException e) when (e.Code == ErrorCode.Internal)
            {
                throw LodeException.Wrap("getting tag", e);
            }

            await responseStream.WriteAsync(new GetTagMessagesResponse { TagId = tagId }, cancellationToken);
            await ByteStreamSender.SendAsync(message, responseStream, static chunk => new GetTagMessagesResponse { Message = chunk },
                cancellationToken);
        }
    }
}
