using System.Buffers;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.CatFile;
using Lode.Git.Objects;
using Lode.Git.Refs;
using Lode.Server.Streaming;
using ObjectFormat = Lode.Git.Objects.ObjectFormat;

namespace Lode.Server.Services.Commit;

internal sealed partial class CommitServiceImpl
{
    /// <summary>
    /// Remaining content above which a blob cut short by <c>limit</c> is abandoned rather than read to its end:
    /// the reader's process is then killed instead of copying megabytes nobody wants.
    /// </summary>
    private const long DrainLimit = 1024 * 1024;

    /// <summary>
    /// The entry at <c>revision:path</c>. As in Gitaly the entry is found in its parent directory's listing, so
    /// only a path written the way the tree spells it matches ("a/b", or "a/b/" for a directory: trailing slashes
    /// are cut; "./a" or "a//b" are not found). A blob's content follows in 128 KiB chunks, the first message
    /// carrying type, id, size and mode; trees and submodules get that one message only.
    /// </summary>
    public override async Task TreeEntry(TreeEntryRequest request, IServerStreamWriter<TreeEntryResponse> responseStream,
        ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var repository = resolver.Resolve(request.Repository);
        RevisionValidator.Validate(request.Revision.Span);
        if (request.Path.IsEmpty)
        {
            throw LodeException.InvalidArgument("empty Path");
        }

        if (request.Limit < 0)
        {
            throw LodeException.InvalidArgument("negative Limit");
        }

        if (request.MaxSize < 0)
        {
            throw LodeException.InvalidArgument("negative MaxSize");
        }

        // "api/docs/" must look up "api/docs" in "api", not something in "api/docs".
        var path = request.Path.Memory;
        if (path.Length > 1)
        {
            path = path[..(path.Span.TrimEnd((byte)'/').Length)];
        }

        await using var lease = await objects.GetAsync(repository, context);
        var reader = lease.Reader;

        var entry = await FindTreeEntryAsync(reader, request.Revision.Memory, path, cancellationToken)
            ?? throw LodeException.NotFound("tree entry not found").With("path", TreeLookup.ToText(path.Span));

        switch (entry.Kind)
        {
            case TreeEntryKind.Submodule:
                await responseStream.WriteAsync(new TreeEntryResponse
                {
                    Type = TreeEntryResponse.Types.ObjectType.Commit,
                    Mode = entry.Mode,
                    Oid = entry.ObjectId,
                }, cancellationToken);
                return;

            case TreeEntryKind.Tree:
                var treeInfo = await reader.InfoAsync(entry.ObjectId, cancellationToken)
                    ?? throw LodeException.Internal("tree entry: object not found").With("oid", entry.ObjectId);
                await responseStream.WriteAsync(new TreeEntryResponse
                {
                    Type = TreeEntryResponse.Types.ObjectType.Tree,
                    Oid = entry.ObjectId,
                    Size = treeInfo.Size,
                    Mode = entry.Mode,
                }, cancellationToken);
                return;
        }

        await SendBlobAsync(reader, entry, request.Limit, request.MaxSize, responseStream, cancellationToken);
    }

    /// <summary>
    /// Gitaly's tree entry finder: lists <c>revision:dir(path)</c> and picks the entry whose joined path equals
    /// <paramref name="path"/> byte for byte.
    /// </summary>
    private static async Task<Lode.Git.Objects.TreeEntry?> FindTreeEntryAsync(ObjectReader reader, ReadOnlyMemory<byte> revision,
        ReadOnlyMemory<byte> path, CancellationToken cancellationToken)
    {
        var dir = GitPath.Dir(path.Span);
        if (dir.AsSpan().SequenceEqual("."u8))
        {
            dir = [];
        }

        // git dies on a path outside the tree; Gitaly never asks for one and finds nothing.
        if (GitPath.Clean(dir).AsSpan().StartsWith("../"u8))
        {
            return null;
        }

        // One round trip, as Gitaly: cat-file resolves "rev:dir" itself. A cleaned directory never starts with "./",
        // and "../" was ruled out above, so git's fatal relative-path error cannot happen.
        var spec = new byte[revision.Length + 1 + dir.Length];
        revision.CopyTo(spec);
        spec[revision.Length] = (byte)':';
        dir.CopyTo(spec, revision.Length + 1);
        using var parent = await reader.ReadAsync(spec, cancellationToken);
        if (parent is null || parent.Type != ObjectTypes.Tree)
        {
            return null;
        }

        var format = ObjectFormat.FromHexLength(parent.Oid.Length)
            ?? throw LodeException.Internal("tree entry: unknown object format").With("oid", parent.Oid);
        var entries = TreeParser.Parse(parent.Span, format);
        foreach (var entry in entries)
        {
            if (GitPath.Join(dir, entry.Name).AsSpan().SequenceEqual(path.Span))
            {
                return entry;
            }
        }

        return null;
    }

    private static async Task SendBlobAsync(ObjectReader reader, Lode.Git.Objects.TreeEntry entry, long limit, long maxSize,
        IServerStreamWriter<TreeEntryResponse> responseStream, CancellationToken cancellationToken)
    {
        // The content header gives type and size, so the blob costs one round trip.
        var content = await reader.OpenAsync(entry.ObjectId, cancellationToken)
            ?? throw LodeException.Internal("object not found").With("oid", entry.ObjectId);
        var info = content.Info;
        if (info.Type != ObjectTypes.Blob || (maxSize > 0 && info.Size > maxSize))
        {
            await AbandonAsync(content, cancellationToken);
            if (info.Type != ObjectTypes.Blob)
            {
                throw LodeException.Internal("mismatched object type")
                    .With("tree_oid", entry.ObjectId).With("object_oid", info.Oid).With("object_type", info.Type);
            }

            throw LodeException.FailedPrecondition(
                $"object size ({info.Size}) is bigger than the maximum allowed size ({maxSize})");
        }

        var dataLength = limit > 0 && info.Size > limit ? limit : info.Size;
        var response = new TreeEntryResponse
        {
            Type = TreeEntryResponse.Types.ObjectType.Blob,
            Oid = info.Oid,
            Size = info.Size,
            Mode = entry.Mode,
        };
        if (dataLength == 0)
        {
            await content.DisposeAsync();
            await responseStream.WriteAsync(response, cancellationToken);
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(ByteStreamSender.ChunkSize);
        try
        {
            var remaining = dataLength;
            var first = true;
            while (remaining > 0)
            {
                var want = (int)Math.Min(remaining, ByteStreamSender.ChunkSize);
                var filled = 0;
                while (filled < want)
                {
                    var read = await content.ReadAsync(buffer.AsMemory(filled, want - filled), cancellationToken);
                    if (read == 0)
                    {
                        throw LodeException.Internal("blob ended early").With("oid", info.Oid);
                    }

                    filled += read;
                }

                // Only the first message carries the metadata; later ones are bare data.
                var message = first ? response : new TreeEntryResponse();
                first = false;
                message.Data = ByteString.CopyFrom(buffer, 0, filled);
                await responseStream.WriteAsync(message, cancellationToken);
                remaining -= filled;
            }

            await AbandonAsync(content, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);

            // A no-op after AbandonAsync; on failure the reader is marked dirty and its process discarded.
            await content.DisposeAsync();
        }
    }

    /// <summary>
    /// Ends an object stream that was not read to its end: a small rest is read so that the reader stays clean for
    /// the session; a large one is dropped with the reader's process, which is cheaper than copying it.
    /// </summary>
    private static async Task AbandonAsync(ObjectContentStream content, CancellationToken cancellationToken)
    {
        if (content.Length - content.Position <= DrainLimit)
        {
            await content.CopyToAsync(Stream.Null, cancellationToken);
        }

        await content.DisposeAsync();
    }
}
