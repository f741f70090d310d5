using Gitaly;
using Grpc.Core;
using Lode.Git.CatFile;
using Lode.Git.Objects;

namespace Lode.Server.Services.Commit;

internal sealed partial class CommitServiceImpl
{
    /// <summary>
    /// For each request message, answers one message with the ids among its shas that name a signed commit
    /// (a <c>gpgsig</c> or <c>gpgsig-sha256</c> header with a recognised signature), as sent. Unknown ids and
    /// unsigned commits are left out; a message is sent even when none is left.
    /// </summary>
    public override async Task FilterShasWithSignatures(IAsyncStreamReader<FilterShasWithSignaturesRequest> requestStream,
        IServerStreamWriter<FilterShasWithSignaturesResponse> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;

        // No request at all: nothing to answer (Gitaly fails the call with the stream's EOF as an unknown error).
        if (!await requestStream.MoveNext(cancellationToken))
        {
            return;
        }

        var request = requestStream.Current;
        var repository = resolver.Resolve(request.Repository);
        await using var lease = await objects.GetAsync(repository, context);
        while (true)
        {
            var response = new FilterShasWithSignaturesResponse();
            var shas = ObjectPipeline.FromList(request.Shas);
            await foreach (var (sha, obj) in ObjectPipeline.ReadAsync(lease.Reader, shas, RequestPeeledCommit,
                ObjectPipeline.DefaultWindow, cancellationToken))
            {
                using (obj)
                {
                    if (obj is not null && obj.Type == ObjectTypes.Commit &&
                        CommitParser.Parse(obj.Span).SignatureType != Lode.Git.Objects.SignatureType.None)
                    {
                        response.Shas.Add(sha);
                    }
                }
            }

            await responseStream.WriteAsync(response, cancellationToken);
            if (!await requestStream.MoveNext(cancellationToken))
            {
                return;
            }

            request = requestStream.Current;
        }
    }
}
