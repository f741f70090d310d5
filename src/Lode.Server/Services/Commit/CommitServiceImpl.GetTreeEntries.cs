using System.Buffers;
using System.Text;
using System.Text.Json;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.CatFile;
using Lode.Git.Objects;
using Lode.Git.Refs;
using Lode.Server.Errors;
using Lode.Server.Streaming;
using ObjectFormat = Lode.Git.Objects.ObjectFormat;

namespace Lode.Server.Services.Commit;

internal sealed partial class CommitServiceImpl
{
    /// <summary>How deep Gitaly follows chains of single-subdirectory trees for <c>flat_path</c>.</summary>
    private const int FlatPathRecursion = 10;

    /// <summary>
    /// The entries of the tree at <c>revision:path</c> (the whole subtree when <c>recursive</c>), sorted, paged and
    /// with flat paths as Gitaly computes them. Everything is read through the pooled cat-file reader, without a
    /// process: <c>revision:path</c> is resolved with git's own lookup rules (see <see cref="TreeLookup"/>), so the
    /// same requests fail with the same errors as Gitaly's rev-parse and ls-tree. <c>commit_oid</c> echoes the
    /// revision as given. A page token carries the tree id of the first page, so later pages list the same tree
    /// even if the branch moved (Gitaly v18).
    /// </summary>
    public override async Task GetTreeEntries(GetTreeEntriesRequest request, IServerStreamWriter<GetTreeEntriesResponse> responseStream,
        ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var repository = resolver.Resolve(request.Repository);
        RevisionValidator.Validate(request.Revision.Span);
        if (request.Path.IsEmpty)
        {
            throw new StructuredException(ErrorCode.InvalidArgument, "empty path", new GetTreeEntriesError
            {
                Path = new PathError { ErrorType = PathError.Types.ErrorType.EmptyPath },
            });
        }

        var revision = request.Revision.ToStringUtf8();
        var path = request.Path.Span.SequenceEqual("."u8) ? [] : request.Path.ToByteArray();
        var pagination = request.PaginationParams;
        var token = pagination is { PageToken.Length: > 0 } ? PageToken.Decode(pagination.PageToken) : null;

        // A token from an earlier page names the tree that page listed: continue in that very tree.
        var fromToken = token is { TreeOid.Length: > 0 };
        var lookupRevision = fromToken ? Encoding.UTF8.GetBytes(token!.TreeOid) : request.Revision.ToByteArray();
        var lookupPath = fromToken ? [] : path;

        await using var lease = await objects.GetAsync(repository, context);
        var reader = lease.Reader;

        var resolved = await TreeLookup.ResolveAsync(reader, lookupRevision, lookupPath, cancellationToken);
        if (resolved is null)
        {
            throw TreeError(request.Recursive ? ErrorCode.NotFound : ErrorCode.InvalidArgument, "invalid revision or path",
                request.Revision, path);
        }

        var tree = await ReadResolvedTreeAsync(reader, resolved, lookupPath.Length > 0, request.Revision, path, cancellationToken);
        var entries = new List<Gitaly.TreeEntry>();
        if (request.Recursive)
        {
            foreach (var walked in await TreeLookup.WalkAsync(reader, resolved.Oid, resolved.Format, cancellationToken))
            {
                AddEntry(entries, walked.Entry, GitPath.Join(path, walked.Path), revision, resolved.Oid);
            }
        }
        else
        {
            foreach (var entry in tree)
            {
                AddEntry(entries, entry, GitPath.Join(path, entry.Name), revision, resolved.Oid);
            }
        }

        // Sorting comes before paging so that pages agree with ListLastCommitsForTree.
        SortTreeEntries(entries, request.Sort);

        var cursor = "";
        if (pagination is not null)
        {
            (entries, cursor) = PaginateTreeEntries(entries, pagination, token, resolved.Oid);
        }

        if (!request.Recursive && !request.SkipFlatPaths)
        {
            await FillFlatPathsAsync(reader, resolved.Format, entries, cancellationToken);
        }

        var first = true;
        var writer = new ChunkedWriter<GetTreeEntriesResponse, Gitaly.TreeEntry>(responseStream,
            () =>
            {
                // Only the first message carries the cursor, as in Gitaly (to save bandwidth).
                var message = new GetTreeEntriesResponse();
                if (first)
                {
                    message.PaginationCursor = new PaginationCursor { NextCursor = cursor };
                    first = false;
                }

                return message;
            },
            static (message, entry) => message.Entries.Add(entry));
        foreach (var entry in entries)
        {
            await writer.AddAsync(entry, cancellationToken);
        }

        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// The entries of the tree <c>revision:path</c> resolved to, with Gitaly's errors when it is not a tree: a
    /// missing object behind a path (a submodule's commit) is "revision doesn't exist", anything else "path not
    /// treeish".
    /// </summary>
    private static async Task<List<Lode.Git.Objects.TreeEntry>> ReadResolvedTreeAsync(ObjectReader reader, ResolvedTreePath resolved,
        bool hasPath, ByteString revision, byte[] path, CancellationToken cancellationToken)
    {
        if (resolved.Kind == TreeEntryKind.Tree)
        {
            using var obj = await reader.ReadAsync(resolved.Oid, cancellationToken);
            if (obj is not null && obj.Type == ObjectTypes.Tree)
            {
                return TreeParser.Parse(obj.Span, resolved.Format);
            }

            throw NotTreeError(obj is null, hasPath, resolved.Oid, revision, path);
        }

        var info = await reader.InfoAsync(resolved.Oid, cancellationToken);
        if (info is not null && info.Type == ObjectTypes.Tree)
        {
            return await TreeLookup.ReadTreeAsync(reader, resolved.Oid, resolved.Format, cancellationToken)
                ?? throw NotTreeError(true, hasPath, resolved.Oid, revision, path);
        }

        throw NotTreeError(info is null, hasPath, resolved.Oid, revision, path);
    }

    private static LodeException NotTreeError(bool missing, bool hasPath, string oid, ByteString revision, byte[] path)
    {
        if (!missing)
        {
            return TreeError(ErrorCode.InvalidArgument, "path not treeish", revision, path);
        }

        return hasPath
            ? TreeError(ErrorCode.NotFound, "revision doesn't exist", revision, path)
            : LodeException.Internal("reading tree: check object type: object not found").With("oid", oid);
    }

    private static StructuredException TreeError(ErrorCode code, string message, ByteString revision, byte[] path)
    {
        var error = new StructuredException(code, message, new GetTreeEntriesError
        {
            ResolveTree = new ResolveRevisionError { Revision = revision },
        });
        error.With("path", TreeLookup.ToText(path)).With("revision", revision.ToStringUtf8());
        return error;
    }

    private static void AddEntry(List<Gitaly.TreeEntry> entries, Lode.Git.Objects.TreeEntry entry, byte[] path, string revision, string treeOid)
    {
        // Gitaly skips an entry that points at the listed tree itself.
        if (string.Equals(entry.ObjectId, treeOid, StringComparison.Ordinal))
        {
            return;
        }

        entries.Add(new Gitaly.TreeEntry
        {
            Oid = entry.ObjectId,
            Path = ByteString.CopyFrom(path),
            Type = EntryType(entry.Mode),
            Mode = entry.Mode,
            CommitOid = revision,
        });
    }

    /// <summary>The entry type from the mode's file-type bits, as Gitaly's <c>NewTreeEntry</c> decides it.</summary>
    private static Gitaly.TreeEntry.Types.EntryType EntryType(int mode) => (mode & 0xF000) switch
    {
        0xE000 => Gitaly.TreeEntry.Types.EntryType.Commit,
        0x4000 => Gitaly.TreeEntry.Types.EntryType.Tree,
        _ => Gitaly.TreeEntry.Types.EntryType.Blob,
    };

    /// <summary>
    /// DEFAULT keeps tree order; FILESYSTEM orders by path bytes (v18); any other order puts trees first, then
    /// blobs, then submodules, keeping tree order within each group. All sorts are stable.
    /// </summary>
    private static void SortTreeEntries(List<Gitaly.TreeEntry> entries, GetTreeEntriesRequest.Types.SortBy sort)
    {
        if (sort == GetTreeEntriesRequest.Types.SortBy.Default || entries.Count < 2)
        {
            return;
        }

        var indexed = new (Gitaly.TreeEntry Entry, int Index)[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            indexed[i] = (entries[i], i);
        }

        if (sort == GetTreeEntriesRequest.Types.SortBy.Filesystem)
        {
            Array.Sort(indexed, static (a, b) =>
            {
                var cmp = a.Entry.Path.Span.SequenceCompareTo(b.Entry.Path.Span);
                return cmp != 0 ? cmp : a.Index.CompareTo(b.Index);
            });
        }
        else
        {
            Array.Sort(indexed, static (a, b) =>
            {
                var cmp = TypeRank(a.Entry.Type).CompareTo(TypeRank(b.Entry.Type));
                return cmp != 0 ? cmp : a.Index.CompareTo(b.Index);
            });
        }

        for (var i = 0; i < indexed.Length; i++)
        {
            entries[i] = indexed[i].Entry;
        }
    }

    private static int TypeRank(Gitaly.TreeEntry.Types.EntryType type) => type switch
    {
        Gitaly.TreeEntry.Types.EntryType.Tree => 0,
        Gitaly.TreeEntry.Types.EntryType.Blob => 1,
        _ => 2,
    };

    private static (List<Gitaly.TreeEntry> Page, string Cursor) PaginateTreeEntries(List<Gitaly.TreeEntry> entries,
        PaginationParameter pagination, PageToken? token, string treeOid)
    {
        var start = 0;
        if (token is { Start.Length: > 0 })
        {
            start = -1;
            for (var i = 0; i < entries.Count; i++)
            {
                if (token.Matches(entries[i]))
                {
                    start = i + 1;
                    break;
                }
            }

            if (start < 0)
            {
                throw LodeException.Internal("could not find starting OID: " + token.Start);
            }
        }

        var limit = pagination.Limit;
        if (limit == 0)
        {
            return ([], "");
        }

        if (limit < 0 || start + (long)limit >= entries.Count)
        {
            return (entries.GetRange(start, entries.Count - start), "");
        }

        var page = entries.GetRange(start, limit);
        return (page, PageToken.Encode(page[^1].Path.Span, treeOid));
    }

    /// <summary>
    /// Extends each tree's path through up to nine levels of trees that hold a single subtree and nothing else
    /// ("a" → "a/b/c"), as GitLab shows them. Trees are read by id, one level of all candidates at a time.
    /// </summary>
    private static async Task FillFlatPathsAsync(ObjectReader reader, ObjectFormat format, List<Gitaly.TreeEntry> entries,
        CancellationToken cancellationToken)
    {
        var pending = new List<(Gitaly.TreeEntry Entry, string Oid, byte[] FlatPath)>();
        foreach (var entry in entries)
        {
            entry.FlatPath = entry.Path;
            if (entry.Type == Gitaly.TreeEntry.Types.EntryType.Tree)
            {
                pending.Add((entry, entry.Oid, entry.Path.ToByteArray()));
            }
        }

        for (var depth = 1; depth < FlatPathRecursion && pending.Count > 0; depth++)
        {
            var next = new List<(Gitaly.TreeEntry Entry, string Oid, byte[] FlatPath)>();
            using (var queue = reader.CreateQueue())
            {
                foreach (var item in pending)
                {
                    queue.RequestContents(item.Oid);
                }

                queue.Flush();
                foreach (var item in pending)
                {
                    using var obj = await queue.ReadObjectAsync(cancellationToken);
                    if (obj is null || obj.Type != ObjectTypes.Tree)
                    {
                        continue;
                    }

                    var children = TreeParser.Parse(obj.Span, format);
                    if (children.Count != 1 || children[0].Kind != TreeEntryKind.Tree)
                    {
                        continue;
                    }

                    var flatPath = GitPath.Join(item.FlatPath, children[0].Name);
                    item.Entry.FlatPath = ByteString.CopyFrom(flatPath);
                    next.Add((item.Entry, children[0].ObjectId, flatPath));
                }
            }

            pending = next;
        }
    }

    /// <summary>
    /// Gitaly's page token: base64 of the JSON <c>{"file_name":…,"tree_oid":…}</c>, encoded as Go's
    /// <c>json.Marshal</c> would so that tokens are interchangeable with Gitaly's. A token that does not decode is
    /// an old-style token holding the object id of the last entry.
    /// </summary>
    private sealed record PageToken(string Start, string TreeOid, bool ByPath)
    {
        public bool Matches(Gitaly.TreeEntry entry) => ByPath
            ? entry.Path.Span.SequenceEqual(Encoding.UTF8.GetBytes(Start))
            : string.Equals(entry.Oid, Start, StringComparison.Ordinal);

        public static PageToken Decode(string token)
        {
            try
            {
                var json = Convert.FromBase64String(token);
                using var document = JsonDocument.Parse(json);
                var root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Null)
                {
                    return new PageToken("", "", ByPath: true);
                }

                if (root.ValueKind != JsonValueKind.Object)
                {
                    return new PageToken(token, "", ByPath: false);
                }

                string? fileName = null;
                string? treeOid = null;
                foreach (var property in root.EnumerateObject())
                {
                    // Go matches field names case-insensitively; the last occurrence wins.
                    if (property.Name.Equals("file_name", StringComparison.OrdinalIgnoreCase))
                    {
                        fileName = StringValue(property.Value);
                    }
                    else if (property.Name.Equals("tree_oid", StringComparison.OrdinalIgnoreCase))
                    {
                        treeOid = StringValue(property.Value);
                    }
                }

                return new PageToken(fileName ?? "", treeOid ?? "", ByPath: true);
            }
            catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
            {
                return new PageToken(token, "", ByPath: false);
            }
        }

        public static string Encode(ReadOnlySpan<byte> path, string treeOid)
        {
            var json = new StringBuilder();
            json.Append("{\"file_name\":");
            AppendGoJsonString(json, path);
            json.Append(",\"tree_oid\":");
            AppendGoJsonString(json, Encoding.UTF8.GetBytes(treeOid));
            json.Append('}');
            return Convert.ToBase64String(Encoding.UTF8.GetBytes(json.ToString()));
        }

        private static string? StringValue(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Null => null,
            _ => throw new JsonException("not a string"),
        };

        /// <summary>Go's JSON string encoding: HTML-safe escapes, invalid UTF-8 replaced by U+FFFD.</summary>
        private static void AppendGoJsonString(StringBuilder json, ReadOnlySpan<byte> value)
        {
            json.Append('"');
            while (!value.IsEmpty)
            {
                var status = Rune.DecodeFromUtf8(value, out var rune, out var consumed);
                if (status != OperationStatus.Done)
                {
                    // Go replaces each invalid byte on its own.
                    json.Append("\\ufffd");
                    value = value[1..];
                    continue;
                }

                value = value[consumed..];
                switch (rune.Value)
                {
                    case '"':
                        json.Append("\\\"");
                        break;
                    case '\\':
                        json.Append("\\\\");
                        break;
                    case '\n':
                        json.Append("\\n");
                        break;
                    case '\r':
                        json.Append("\\r");
                        break;
                    case '\t':
                        json.Append("\\t");
                        break;
                    case '\b':
                        json.Append("\\b");
                        break;
                    case '\f':
                        json.Append("\\f");
                        break;
                    case '<' or '>' or '&' or 0x2028 or 0x2029:
                        json.Append("\\u").Append(rune.Value.ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                        break;
                    case < 0x20:
                        json.Append("\\u00").Append(rune.Value.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
                        break;
                    default:
                        json.Append(rune.ToString());
                        break;
                }
            }

            json.Append('"');
        }
    }
}
