using System.Text;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.CatFile;
using Lode.Git.Objects;
using Lode.Git.Refs;
using Lode.Server.Conversions;
using Lode.Server.Streaming;

namespace Lode.Server.Services.Ref;

internal sealed partial class RefServiceImpl
{
    /// <summary>Tags read per cat-file round trip.</summary>
    private const int TagBatchSize = 20;

    /// <summary>
    /// Every tag under refs/tags/ with its tagger, message and the commit it finally peels to, in messages of
    /// about 1 MiB (Gitaly's chunker). Sorted by name by default; paginated by ref name.
    /// </summary>
    public override async Task FindAllTags(FindAllTagsRequest request, IServerStreamWriter<FindAllTagsResponse> responseStream,
        ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository);
        var sortField = TagSortField(request.SortBy);
        var pagination = LinePagination.FromProto(request.PaginationParams);
        var cancellationToken = context.CancellationToken;

        var query = new RefListQuery
        {
            Format = "%(refname)%00%(objectname)%00%(*objectname)",
            Patterns = ["refs/tags/"u8.ToArray()],
            Flags = sortField.Length > 0 ? ["--sort=" + sortField] : [],
        };
        var writer = new ChunkedWriter<FindAllTagsResponse, Tag>(responseStream, static () => new FindAllTagsResponse(), static (m, t) => m.Tags.Add(t));

        await using var lease = await objects.GetAsync(paths, context);

        // Gitaly checks the limit before each tag, so a zero limit sends nothing and finds no page token.
        var pastPageToken = pagination.PageToken is null;
        var sent = 0;
        var batch = new List<byte[][]>(TagBatchSize);
        if (pagination.Limit > 0)
        {
            await foreach (var record in RefLister.ListAsync(git, paths, query, cancellationToken))
            {
                if (!pastPageToken)
                {
                    // Tags up to the token are not sent, so their objects need not be read.
                    pastPageToken = pagination.IsPageToken(record);
                    continue;
                }

                batch.Add(RefLister.SplitFields(record));
                if (batch.Count == Math.Min(TagBatchSize, pagination.Limit - sent))
                {
                    sent += await SendTagsAsync(lease.Reader, batch, writer, cancellationToken);
                    batch.Clear();
                    if (sent == pagination.Limit)
                    {
                        break;
                    }
                }
            }
        }

        if (!pastPageToken)
        {
            throw new PageTokenNotFoundException();
        }

        if (batch.Count > 0)
        {
            await SendTagsAsync(lease.Reader, batch, writer, cancellationToken);
        }

        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Gitaly's sort field for FindAllTags: none when sort_by is unset (git's refname order), else an optional '-'
    /// and <c>refname</c>, <c>creatordate</c> or <c>version:refname</c>.
    /// </summary>
    private static string TagSortField(FindAllTagsRequest.Types.SortBy? sortBy)
    {
        if (sortBy is null)
        {
            return "";
        }

        var direction = sortBy.Direction switch
        {
            SortDirection.Ascending => "",
            SortDirection.Descending => "-",
            _ => throw LodeException.InvalidArgument("unsupported sorting direction: " + (int)sortBy.Direction),
        };
        var key = sortBy.Key switch
        {
            FindAllTagsRequest.Types.SortBy.Types.Key.Refname => "refname",
            FindAllTagsRequest.Types.SortBy.Types.Key.Creatordate => "creatordate",
            FindAllTagsRequest.Types.SortBy.Types.Key.VersionRefname => "version:refname",
            _ => throw LodeException.InvalidArgument("unsupported sorting key: " + (int)sortBy.Key),
        };
        return direction + key;
    }

    /// <summary>
    /// Reads the objects of a batch of tags in one round trip and sends the tags. Records are
    /// <c>refname, objectname, *objectname</c>; the last is set only for annotated tags, whose fully peeled object
    /// (<c>oid^{}</c>) is read too. Blobs and trees are streamed past, never buffered.
    /// </summary>
    private static async Task<int> SendTagsAsync(ObjectReader reader, List<byte[][]> batch,
        ChunkedWriter<FindAllTagsResponse, Tag> writer, CancellationToken cancellationToken)
    {
        using (var queue = reader.CreateQueue())
        {
            foreach (var fields in batch)
            {
                var oid = Encoding.ASCII.GetString(fields[1]);
                queue.RequestContents(oid);
                if (fields[2].Length > 0)
                {
                    queue.RequestContents(oid + "^{}");
                }
            }

            queue.Flush();
            foreach (var fields in batch)
            {
                var name = fields[0]["refs/tags/".Length..];
                var tagged = await ReadSmallObjectAsync(queue, cancellationToken)
                    ?? throw LodeException.Internal("object not found").With("reference", Encoding.UTF8.GetString(fields[0]));
                Tag tag;
                if (fields[2].Length > 0 && tagged.Type == ObjectTypes.Tag)
                {
                    tag = TagConverter.Parse(tagged.Oid, tagged.Content, name, out _);
                    TagConverter.TrimMessage(tag);
                    var peeled = await ReadSmallObjectAsync(queue, cancellationToken);
                    if (peeled is { Type: ObjectTypes.Commit })
                    {
                        tag.TargetCommit = CommitConverter.ToProto(peeled.Oid, CommitParser.Parse(peeled.Content));
                    }
                }
                else
                {
                    if (fields[2].Length > 0)
                    {
                        await ReadSmallObjectAsync(queue, cancellationToken);
                    }

                    tag = new Tag { Id = tagged.Oid, Name = ByteString.CopyFrom(name) };
                    if (tagged.Type == ObjectTypes.Commit)
                    {
                        tag.TargetCommit = CommitConverter.ToProto(tagged.Oid, CommitParser.Parse(tagged.Content));
                    }
                }

                await writer.AddAsync(tag, cancellationToken);
            }
        }

        return batch.Count;
    }

    /// <summary>
    /// The next answer of <paramref name="queue"/>: commits and tags whole, any other object with its content skipped
    /// (a tag may point at a large blob). Null when git reports the object missing.
    /// </summary>
    private static async Task<SmallObject?> ReadSmallObjectAsync(ObjectQueue queue, CancellationToken cancellationToken)
    {
        await using var stream = await queue.OpenObjectAsync(cancellationToken);
        if (stream is null)
        {
            return null;
        }

        var info = stream.Info;
        if (info.Type is not (ObjectTypes.Commit or ObjectTypes.Tag))
        {
            await stream.CopyToAsync(Stream.Null, cancellationToken);
            return new SmallObject(info.Oid, info.Type, []);
        }

        var content = new byte[info.Size];
        await stream.ReadExactlyAsync(content, cancellationToken);
        return new SmallObject(info.Oid, info.Type, content);
    }

    /// <summary>An object read by <see cref="ReadSmallObjectAsync"/>; <see cref="Content"/> is empty for blobs and trees.</summary>
    private sealed record SmallObject(string Oid, string Type, byte[] Content);
}
