using Gitaly;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.Objects;
using Lode.Git.Refs;
using Lode.Server.Streaming;

namespace Lode.Server.Services.Ref;

internal sealed partial class RefServiceImpl
{
    /// <summary>Names (without refs/tags/) of the tags whose history contains the commit, up to limit.</summary>
    public override async Task ListTagNamesContainingCommit(ListTagNamesContainingCommitRequest request,
        IServerStreamWriter<ListTagNamesContainingCommitResponse> responseStream, ServerCallContext context)
    {
        var writer = new ChunkedWriter<ListTagNamesContainingCommitResponse, BytesValue>(responseStream,
            static () => new ListTagNamesContainingCommitResponse(),
            static (m, name) => m.TagNames.Add(ByteString.CopyFrom(StripPrefix(name.Value.Span, "refs/tags/"u8))));
        await ListContainingAsync(request.Repository, request.CommitId, request.Limit, "refs/tags"u8.ToArray(), writer, context);
    }

    /// <summary>
    /// Both "containing commit" listings: <c>for-each-ref --contains=&lt;commit&gt; [--count=limit]</c> under a prefix,
    /// in messages of about 1 MiB. The chunker measures each full ref name as Gitaly's does (a string wrapper of it);
    /// the prefix is cut when the name is added.
    /// </summary>
    private async Task ListContainingAsync<TResponse>(Gitaly.Repository? repository, string commitId, uint limit, byte[] prefix,
        ChunkedWriter<TResponse, BytesValue> writer, ServerCallContext context)
        where TResponse : class
    {
        var paths = resolver.Resolve(repository);
        var cancellationToken = context.CancellationToken;
        var format = await Git.Objects.ObjectFormat.DetectAsync(git, paths, cancellationToken);
        if (ObjectIdValidator.Check(format, commitId) is { } problem)
        {
            throw LodeException.InvalidArgument(problem);
        }

        var query = new RefListQuery
        {
            Format = "%(refname)",
            Flags = ["--contains=" + commitId],
            Patterns = [prefix],
            Count = limit > int.MaxValue ? int.MaxValue : (int)limit,
        };
        await foreach (var name in RefLister.ListAsync(git, paths, query, cancellationToken))
        {
            await writer.AddAsync(new BytesValue { Value = ByteString.CopyFrom(name) }, cancellationToken);
        }

        await writer.FlushAsync(cancellationToken);
    }

    private static ReadOnlySpan<byte> StripPrefix(ReadOnlySpan<byte> name, ReadOnlySpan<byte> prefix) =>
        name.StartsWith(prefix) ? name[prefix.Length..] : name;
}
