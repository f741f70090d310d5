using Gitaly;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Lode.Server.Streaming;

namespace Lode.Server.Services.Ref;

internal sealed partial class RefServiceImpl
{
    /// <summary>Names (without refs/heads/) of the branches whose history contains the commit, up to limit.</summary>
    public override async Task ListBranchNamesContainingCommit(ListBranchNamesContainingCommitRequest request,
        IServerStreamWriter<ListBranchNamesContainingCommitResponse> responseStream, ServerCallContext context)
    {
        var writer = new ChunkedWriter<ListBranchNamesContainingCommitResponse, BytesValue>(responseStream,
            static () => new ListBranchNamesContainingCommitResponse(),
            static (m, name) => m.BranchNames.Add(ByteString.CopyFrom(StripPrefix(name.Value.Span, "refs/heads/"u8))));
        await ListContainingAsync(request.Repository, request.CommitId, request.Limit, "refs/heads"u8.ToArray(), writer, context);
    }
}
