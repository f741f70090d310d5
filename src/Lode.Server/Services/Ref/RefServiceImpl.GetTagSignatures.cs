using System.Text;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.Commands;
using Lode.Git.Objects;
using Lode.Git.Refs;
using Lode.Server.Conversions;
using Lode.Server.Streaming;

namespace Lode.Server.Services.Ref;

internal sealed partial class RefServiceImpl
{
    /// <summary>
    /// For the annotated tags reachable from the given revisions (<c>rev-list --objects
    /// --filter=object:type=tag</c>), each signature and the signed payload: the raw tag object split at its first
    /// "-----BEGIN", as Gitaly does. Messages of about 1 MiB; commits and lightweight tags yield nothing.
    /// </summary>
    public override async Task GetTagSignatures(GetTagSignaturesRequest request, IServerStreamWriter<GetTagSignaturesResponse> responseStream,
        ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository);
        if (request.TagRevisions.Count == 0)
        {
            throw LodeException.InvalidArgument("missing revisions");
        }

        foreach (var revision in request.TagRevisions)
        {
            if (RevisionValidator.Check(Encoding.UTF8.GetBytes(revision), allowPseudo: true) is { } problem)
            {
                throw LodeException.InvalidArgument("invalid revision: " + problem).With("revision", revision);
            }
        }

        var cancellationToken = context.CancellationToken;
        await using var lease = await objects.GetAsync(paths, context);
        var writer = new ChunkedWriter<GetTagSignaturesResponse, GetTagSignaturesResponse.Types.TagSignature>(responseStream,
            static () => new GetTagSignaturesResponse(), static (m, s) => m.Signatures.Add(s));

        // git 2.39 refuses pseudo revisions (--all, --not) on stdin, so revisions are arguments, as PseudoRevisions
        // places them.
        var command = git.Create(paths, GitSubcommand.RevList)
            .Flags("--in-commit-order", "--objects", "--object-names", "--filter=object:type=tag", "--filter-provided-objects")
            .AddRevisions(request.TagRevisions);
        await using (var revList = await command.StartAsync(cancellationToken))
        {
            await foreach (var line in DelimitedRecords.ReadAsync(revList.StdoutReader, (byte)'\n', cancellationToken))
            {
                var space = Array.IndexOf(line, (byte)' ');
                var oid = Encoding.ASCII.GetString(line, 0, space < 0 ? line.Length : space);
                using var tag = await lease.Reader.ReadAsync(oid, cancellationToken)
                    ?? throw LodeException.Internal("cat-file iterator stop: object not found").With("oid", oid);
                var content = tag.Span;
                var split = TagConverter.ExtractSignature(content, out var signature);
                await writer.AddAsync(new GetTagSignaturesResponse.Types.TagSignature
                {
                    TagId = tag.Oid,
                    Signature = ByteString.CopyFrom(signature),
                    Content = ByteString.CopyFrom(split < 0 ? content : content[..split]),
                }, cancellationToken);
            }

            var exitCode = await revList.WaitAsync(cancellationToken);
            if (exitCode != 0)
            {
                throw LodeException.Internal("cat-file iterator stop: rev-list pipeline command: exit status " +
                    exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture)).With("stderr", revList.Stderr);
            }
        }

        await writer.FlushAsync(cancellationToken);
    }
}
