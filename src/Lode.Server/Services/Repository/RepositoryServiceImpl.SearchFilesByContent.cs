using System.Buffers;
using System.Text;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.Commands;
using Lode.Server.Streaming;

namespace Lode.Server.Services.Repository;

internal sealed partial class RepositoryServiceImpl
{
    /// <summary>
    /// Searches the tree at <c>ref</c> with <c>git grep</c> (case-insensitive Perl regex, text files only, two lines
    /// of context). Each match block (git separates them with <c>--</c>) is sent as <c>match_data</c> chunks of at
    /// most 128 KiB followed by a message with <c>end_of_match</c>; its lines read
    /// <c>ref:path NUL line-number NUL text</c>. No match, or a ref that names nothing, is an empty stream.
    /// </summary>
    public override async Task SearchFilesByContent(SearchFilesByContentRequest request,
        IServerStreamWriter<SearchFilesByContentResponse> responseStream, ServerCallContext context)
    {
        var paths = ValidateSearchFilesRequest(request.Repository, request.Query, request.Ref);
        var cancellationToken = context.CancellationToken;
        if (request.Query.Contains('\0', StringComparison.Ordinal))
        {
            throw LodeException.InvalidArgument("query contains a NUL byte");
        }

        var reference = await SearchRefArgumentAsync(paths, request.Ref, context);
        if (reference is null)
        {
            return;
        }

        // When the ref had to be replaced by its object id, git prefixes lines with that id: put the ref back.
        var resolvedPrefix = Encoding.UTF8.GetBytes(reference).AsSpan().SequenceEqual(request.Ref.Span)
            ? null
            : Encoding.ASCII.GetBytes(reference + ":");

        // The pattern is the value of -e in its stuck form, so git takes it whole, whatever it starts with.
        await using var process = await git.Create(paths, GitSubcommand.Grep)
            .Flags("--ignore-case", "-I", "--line-number", "--null", "--before-context=2", "--after-context=2", "--perl-regexp")
            .Flag("-e" + request.Query)
            .Arg(reference)
            .StartAsync(cancellationToken);

        var match = new MatchChunker(responseStream, cancellationToken);
        await foreach (var line in DelimitedRecords.ReadAsync(process.StdoutReader, (byte)'\n', cancellationToken))
        {
            if (line.AsSpan().SequenceEqual("--"u8))
            {
                await match.EndAsync();
                continue;
            }

            if (resolvedPrefix is not null && line.AsSpan().StartsWith(resolvedPrefix))
            {
                await match.AppendAsync(request.Ref.Span);
                await match.AppendAsync(line.AsSpan(resolvedPrefix.Length - 1));
            }
            else
            {
                await match.AppendAsync(line);
            }

            await match.AppendAsync("\n"u8);
        }

        await match.EndAsync();

        // grep exits 1 without a match and 128 for a ref it cannot read; neither is an error here, as in Gitaly.
        await process.WaitAsync(cancellationToken);
    }

    /// <summary>Collects one match block and sends it in chunks of exactly 128 KiB (the last one shorter).</summary>
    private sealed class MatchChunker(IServerStreamWriter<SearchFilesByContentResponse> writer, CancellationToken cancellationToken)
    {
        private readonly ArrayBufferWriter<byte> buffer = new(ByteStreamSender.ChunkSize);
        private bool open;

        public Task AppendAsync(ReadOnlySpan<byte> data)
        {
            open = true;
            buffer.Write(data);
            return buffer.WrittenCount >= ByteStreamSender.ChunkSize ? SendFullChunksAsync() : Task.CompletedTask;
        }

        /// <summary>Sends what is left of the block and the end-of-match marker; nothing when no block is open.</summary>
        public async Task EndAsync()
        {
            if (!open)
            {
                return;
            }

            if (buffer.WrittenCount > 0)
            {
                await writer.WriteAsync(new SearchFilesByContentResponse { MatchData = ByteString.CopyFrom(buffer.WrittenSpan) },
                    cancellationToken);
                buffer.Clear();
            }

            await writer.WriteAsync(new SearchFilesByContentResponse { EndOfMatch = true }, cancellationToken);
            open = false;
        }

        private async Task SendFullChunksAsync()
        {
            var pending = buffer.WrittenMemory.ToArray();
            var offset = 0;
            while (pending.Length - offset >= ByteStreamSender.ChunkSize)
            {
                await writer.WriteAsync(new SearchFilesByContentResponse
                {
                    MatchData = ByteString.CopyFrom(pending, offset, ByteStreamSender.ChunkSize),
                }, cancellationToken);
                offset += ByteStreamSender.ChunkSize;
            }

            buffer.Clear();
            buffer.Write(pending.AsSpan(offset));
        }
    }
}
