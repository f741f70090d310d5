using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;

namespace Lode.Server.Services.Repository;

internal sealed partial class RepositoryServiceImpl
{
    /// <summary>
    /// Bidirectional: the client streams ref patterns or revisions (the first message also names the repository);
    /// the server streams <c>git bundle create</c> of them.
    /// Patterns that name nothing are skipped; a bundle with no references is FAILED_PRECONDITION.
    /// </summary>
    public override async Task CreateBundleFromRefList(IAsyncStreamReader<CreateBundleFromRefListRequest> requestStream,
        IServerStreamWriter<CreateBundleFromRefListResponse> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        if (!await requestStream.MoveNext(cancellationToken))
        {
            throw LodeException.InvalidArgument("empty request stream");
        }

        var first = requestStream.Current;
        var paths = resolver.Resolve(first.Repository);

        // Newer clients send a header message with the repository only and wait for an empty acknowledgement
        // before streaming patterns (the v18 protocol); older ones (gitaly-backup) put patterns in every message.
        var headerOnly = first.Patterns.Count == 0;
        if (headerOnly)
        {
            await responseStream.WriteAsync(new CreateBundleFromRefListResponse(), cancellationToken);
        }

        // Each message's patterns become lines of rev-list's stdin, written as they arrive.
        async Task WritePatternsAsync(Stream stdin, CancellationToken token)
        {
            var request = first;
            if (headerOnly)
            {
                if (!await requestStream.MoveNext(token))
                {
                    return;
                }

                request = requestStream.Current;
            }

            while (true)
            {
                foreach (var pattern in request.Patterns)
                {
                    await stdin.WriteAsync(pattern.Memory, token);
                    await stdin.WriteAsync("\n"u8.ToArray(), token);
                }

                if (request.Patterns.Count == 0)
                {
                    // Gitaly writes a bare newline for a message without patterns; git skips empty lines.
                    await stdin.WriteAsync("\n"u8.ToArray(), token);
                }

                if (!await requestStream.MoveNext(token))
                {
                    return;
                }

                request = requestStream.Current;
            }
        }

        await WriteBundleAsync(paths, WritePatternsAsync, responseStream,
            static data => new CreateBundleFromRefListResponse { Data = data }, cancellationToken);
    }
}
