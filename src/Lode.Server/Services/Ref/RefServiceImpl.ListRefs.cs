using System.Text;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.Commands;
using Lode.Git.Refs;
using Lode.Server.Streaming;

namespace Lode.Server.Services.Ref;

internal sealed partial class RefServiceImpl
{
    /// <summary>
    /// Refs matching the patterns with their targets (and, with peel_tags, what an annotated tag points at), 20
    /// per message, paginated by ref name. With head, HEAD comes first in the first message; as in Gitaly it is
    /// only sent when at least one ref matched. The last message carries a pagination cursor (the last ref name)
    /// when the limit cut the list.
    /// </summary>
    public override async Task ListRefs(ListRefsRequest request, IServerStreamWriter<ListRefsResponse> responseStream, ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository);
        if (request.Patterns.Count < 1)
        {
            throw LodeException.InvalidArgument("patterns must have at least one entry");
        }

        var sortKey = request.SortBy?.Key ?? ListRefsRequest.Types.SortBy.Types.Key.Refname;
        var sortDirection = request.SortBy?.Direction ?? SortDirection.Ascending;
        var key = sortKey switch
        {
            ListRefsRequest.Types.SortBy.Types.Key.Refname => "refname",
            ListRefsRequest.Types.SortBy.Types.Key.Creatordate => "creatordate",
            ListRefsRequest.Types.SortBy.Types.Key.Authordate => "authordate",
            ListRefsRequest.Types.SortBy.Types.Key.Committerdate => "committerdate",
            _ => throw LodeException.InvalidArgument($"sorting key \"{(int)sortKey}\" is not supported"),
        };
        var direction = sortDirection switch
        {
            SortDirection.Ascending => "",
            SortDirection.Descending => "-",
            _ => throw LodeException.InvalidArgument("sorting direction is not supported"),
        };

        var cancellationToken = context.CancellationToken;
        string? headOid = null;
        if (request.Head)
        {
            var (exitCode, stdout, _) = await git.Create(paths, GitSubcommand.RevParse)
                .Flag("--verify")
                .EndOfOptions()
                .Arg("HEAD")
                .RunUncheckedAsync(cancellationToken);
            if (exitCode == 0)
            {
                headOid = Encoding.ASCII.GetString(stdout).TrimEnd('\n');
            }
        }

        var flags = new List<string> { "--sort=" + direction + key };
        foreach (var oid in request.PointingAtOids)
        {
            flags.Add("--points-at=" + oid.ToStringUtf8());
        }

        var patterns = new ReadOnlyMemory<byte>[request.Patterns.Count];
        for (var i = 0; i < patterns.Length; i++)
        {
            patterns[i] = request.Patterns[i].Memory;
        }

        var query = new RefListQuery
        {
            Format = request.PeelTags ? "%(refname)%00%(objectname)%00%(*objectname)" : "%(refname)%00%(objectname)",
            Flags = flags,
            Patterns = patterns,
        };

        try
        {
            await LineSender.SendAsync(RefLister.ListAsync(git, paths, query, cancellationToken), LinePagination.FromProto(request.PaginationParams),
                async (lines, hasNextPage) =>
                {
                    var response = new ListRefsResponse();
                    if (headOid is not null)
                    {
                        response.References.Add(new ListRefsResponse.Types.Reference { Name = ByteString.CopyFromUtf8("HEAD"), Target = headOid });
                        headOid = null;
                    }

                    foreach (var line in lines)
                    {
                        var fields = RefLister.SplitFields(line);
                        var reference = new ListRefsResponse.Types.Reference
                        {
                            Name = ByteString.CopyFrom(fields[0]),
                            Target = Encoding.ASCII.GetString(fields[1]),
                        };
                        if (request.PeelTags)
                        {
                            reference.PeeledTarget = Encoding.ASCII.GetString(fields[2]);
                        }

                        response.References.Add(reference);
                    }

                    if (hasNextPage)
                    {
                        response.PaginationCursor = new PaginationCursor { NextCursor = Encoding.UTF8.GetString(lines[^1].AsSpan(0, RefLister.RefName(lines[^1]).Length)) };
                    }

                    await responseStream.WriteAsync(response, cancellationToken);
                }, cancellationToken);
        }
        catch (PageTokenNotFoundException e)
        {
            throw LodeException.Wrap("invalid page token: sending lines", e);
        }
    }
}
