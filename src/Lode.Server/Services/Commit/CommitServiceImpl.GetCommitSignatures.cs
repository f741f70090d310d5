using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Core.Text;
using Lode.Git.CatFile;
using Lode.Git.Objects;
using Lode.Server.Conversions;
using Lode.Server.Streaming;
using static Gitaly.GetCommitSignaturesResponse.Types;

namespace Lode.Server.Services.Commit;

internal sealed partial class CommitServiceImpl
{
    /// <summary>
    /// For each signed commit: a first message with the id, the signature (the first <c>gpgsig</c> or
    /// <c>gpgsig-sha256</c> header, unfolded, without its final newline), the signer and the identities as
    /// recorded (no mailmap), then the signed text (the object without its signature headers) in 128 KiB chunks.
    /// Unknown ids and unsigned commits are skipped; ids must be full object ids of the repository's format.
    /// </summary>
    public override async Task GetCommitSignatures(GetCommitSignaturesRequest request, IServerStreamWriter<GetCommitSignaturesResponse> responseStream,
        ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var repository = resolver.Resolve(request.Repository);
        var format = await Lode.Git.Objects.ObjectFormat.DetectAsync(git, repository, cancellationToken);
        if (request.CommitIds.Count == 0)
        {
            throw LodeException.InvalidArgument("empty CommitIds");
        }

        foreach (var id in request.CommitIds)
        {
            ValidateHex(format, id);
        }

        await using var lease = await objects.GetAsync(repository, context, useMailmap: false);
        var ids = ObjectPipeline.FromList(request.CommitIds);
        await foreach (var (_, obj) in ObjectPipeline.ReadAsync(lease.Reader, ids, static (q, id) => q.RequestContents(id + "^{commit}"),
            ObjectPipeline.DefaultWindow, cancellationToken))
        {
            using (obj)
            {
                if (obj is null || obj.Type != ObjectTypes.Commit)
                {
                    continue;
                }

                var commit = CommitParser.Parse(obj.Span);
                var signature = commit.SignatureData.AsSpan();
                if (signature.EndsWith((byte)'\n'))
                {
                    signature = signature[..^1];
                }

                if (signature.IsEmpty)
                {
                    continue;
                }

                // Telling commits signed with this server's own key (SIGNER_SYSTEM) needs signature verification,
                // which Lode does not do: every signature is reported as the user's.
                await responseStream.WriteAsync(new GetCommitSignaturesResponse
                {
                    CommitId = obj.Oid,
                    Signature = ByteString.CopyFrom(signature),
                    Signer = Signer.User,
                    Author = CommitConverter.ToAuthor(commit.Author),
                    Committer = CommitConverter.ToAuthor(commit.Committer),
                }, cancellationToken);
                await ByteStreamSender.SendAsync(CommitParser.ExtractSignedPayload(obj.Span), responseStream,
                    static chunk => new GetCommitSignaturesResponse { SignedText = chunk }, cancellationToken);
            }
        }
    }

    /// <summary>Gitaly's <c>ObjectHash.ValidateHex</c>, with its messages: full length, lower-case hex only.</summary>
    private static void ValidateHex(Lode.Git.Objects.ObjectFormat format, string id)
    {
        var length = System.Text.Encoding.UTF8.GetByteCount(id);
        if (length != format.HexLength)
        {
            throw LodeException.InvalidArgument(
                $"invalid object ID: {GoQuote.Quote(id)}, expected length {format.HexLength}, got {length}");
        }

        foreach (var c in id)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                throw LodeException.InvalidArgument($"invalid object ID: {GoQuote.Quote(id)}, invalid character {GoQuoteRune(c)}");
            }
        }
    }

    /// <summary>Go's <c>%q</c> of a rune: single quotes, with the escapes <see cref="GoQuote"/> uses for strings.</summary>
    private static string GoQuoteRune(char c)
    {
        if (c == '\'')
        {
            return "'\\''";
        }

        var quoted = GoQuote.Quote(c.ToString());
        var inner = quoted[1..^1];
        return "'" + (inner == "\\\"" ? "\"" : inner) + "'";
    }
}
