using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Core.Text;
using Lode.Git.Commands;
using Lode.Git.Diff;
using Lode.Server.Streaming;
using static Gitaly.GetRawChangesResponse.Types;

namespace Lode.Server.Services.Repository;

internal sealed partial class RepositoryServiceImpl
{
    /// <summary>
    /// The changes between two revisions as <c>git diff --raw</c> sees them (renames detected), each with the
    /// blob after the change (before it, for deletions) and its size. A zero <c>from</c> compares with the empty
    /// tree; a zero <c>to</c> answers nothing. Both revisions must name objects (INVALID_ARGUMENT otherwise).
    /// </summary>
    public override async Task GetRawChanges(GetRawChangesRequest request, IServerStreamWriter<GetRawChangesResponse> responseStream,
        ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository);
        var cancellationToken = context.CancellationToken;
        var format = await Git.Objects.ObjectFormat.DetectAsync(git, paths, cancellationToken);
        await using var lease = await objects.GetAsync(paths, context);
        var reader = lease.Reader;

        var from = request.FromRevision;
        var to = request.ToRevision;
        if (!IsZeroOid(format, from) && (from.Length == 0 || await reader.InfoAsync(from, cancellationToken) is null))
        {
            throw LodeException.InvalidArgument("invalid 'from' revision: " + GoQuote.Quote(from));
        }

        if (!IsZeroOid(format, to) && (to.Length == 0 || await reader.InfoAsync(to, cancellationToken) is null))
        {
            throw LodeException.InvalidArgument("invalid 'to' revision: " + GoQuote.Quote(to));
        }

        if (IsZeroOid(format, to))
        {
            return;
        }

        if (IsZeroOid(format, from))
        {
            from = format.EmptyTreeOid;
        }

        // Full ids (--no-abbrev) spare a lookup of abbreviations that could be ambiguous; the answer is the same.
        await using var process = await git.Create(paths, GitSubcommand.Diff)
            .Flags("--raw", "-z", "--no-abbrev")
            .EndOfOptions()
            .Arg(from)
            .Arg(to)
            .StartAsync(cancellationToken);
        var writer = new ChunkedWriter<GetRawChangesResponse, RawChange>(
            responseStream, static () => new GetRawChangesResponse(), static (m, c) => m.RawChanges.Add(c));
        await foreach (var entry in RawDiffParser.ReadAsync(process.StdoutReader, cancellationToken))
        {
            await writer.AddAsync(await ToRawChangeAsync(reader, entry, cancellationToken), cancellationToken);
        }

        await process.WaitSuccessAsync(cancellationToken);
        await writer.FlushAsync(cancellationToken);
    }

    private static bool IsZeroOid(Git.Objects.ObjectFormat format, string revision) =>
        revision.Length == format.HexLength && format.IsZeroOid(revision);

    private static async Task<RawChange> ToRawChangeAsync(Git.CatFile.ObjectReader reader, RawDiffEntry entry,
        CancellationToken cancellationToken)
    {
        var change = new RawChange
        {
            OldMode = ParseOctal(entry.SrcMode),
            NewMode = ParseOctal(entry.DstMode),
            NewPathBytes = ByteString.CopyFrom(entry.SrcPath),
            OldPathBytes = ByteString.CopyFrom(entry.SrcPath),
        };

        switch (entry.Status[0])
        {
            case 'A':
                change.Operation = RawChange.Types.Operation.Added;
                change.OldPathBytes = ByteString.Empty;
                break;
            case 'C':
                change.Operation = RawChange.Types.Operation.Copied;
                change.NewPathBytes = ByteString.CopyFrom(entry.DstPath);
                break;
            case 'D':
                change.Operation = RawChange.Types.Operation.Deleted;
                change.NewPathBytes = ByteString.Empty;
                break;
            case 'M':
                change.Operation = RawChange.Types.Operation.Modified;
                break;
            case 'R':
                change.Operation = RawChange.Types.Operation.Renamed;
                change.NewPathBytes = ByteString.CopyFrom(entry.DstPath);
                break;
            case 'T':
                change.Operation = RawChange.Types.Operation.TypeChanged;
                break;
            default:
                change.Operation = RawChange.Types.Operation.Unknown;
                break;
        }

        // The blob after the change, or before it when there is no after (a deletion). Submodules have no blob.
        var (oid, mode) = entry.DstOid.AsSpan().ContainsAnyExcept('0') ? (entry.DstOid, entry.DstMode) : (entry.SrcOid, entry.SrcMode);
        if (mode != "160000")
        {
            var info = await reader.InfoAsync(oid, cancellationToken)
                ?? throw LodeException.Internal("build change from diff line: find blob: object not found").With("oid", oid);
            change.BlobId = info.Oid;
            change.Size = info.Size;
        }

        return change;
    }

    private static int ParseOctal(string text)
    {
        var value = 0;
        foreach (var c in text)
        {
            if (c is < '0' or > '7')
            {
                throw LodeException.Internal("build change from diff line: invalid mode").With("mode", text);
            }

            value = (value << 3) | (c - '0');
        }

        return value;
    }
}
