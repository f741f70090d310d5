using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.Linguist;
using Lode.Git.Objects;
using Lode.Git.Refs;
using Lode.Server.Streaming;
using GeneratedBlob = Gitaly.CheckBlobsGeneratedResponse.Types.Blob;

namespace Lode.Server.Services.Analysis;

internal sealed partial class AnalysisServiceImpl
{
    /// <summary>How much of each blob the generated-file check looks at, as in Gitaly.</summary>
    private const int SniffLength = 2048;

    /// <summary>
    /// For each blob of each request message, whether Linguist's rules (go-enry's <c>IsGenerated</c>) consider it
    /// generated, judging by its path and its first 2 KiB. Each request message gets at least one response message;
    /// the objects of a message are read with one cat-file round trip.
    /// </summary>
    public override async Task CheckBlobsGenerated(IAsyncStreamReader<CheckBlobsGeneratedRequest> requestStream,
        IServerStreamWriter<CheckBlobsGeneratedResponse> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        if (!await requestStream.MoveNext(cancellationToken))
        {
            throw LodeException.Internal("receiving first request: EOF");
        }

        var request = requestStream.Current;
        var repository = resolver.Resolve(request.Repository);
        await using var lease = await objects.GetAsync(repository, context);
        var reader = lease.Reader;
        var sniff = new byte[SniffLength];

        do
        {
            request = requestStream.Current;
            Validate(request);

            var writer = new ChunkedWriter<CheckBlobsGeneratedResponse, GeneratedBlob>(responseStream,
                static () => new CheckBlobsGeneratedResponse(), static (message, blob) => message.Blobs.Add(blob));
            using (var queue = reader.CreateQueue())
            {
                foreach (var blob in request.Blobs)
                {
                    queue.RequestContents(blob.Revision.Span);
                }

                queue.Flush();
                foreach (var blob in request.Blobs)
                {
                    await using var content = await queue.OpenObjectAsync(cancellationToken)
                        ?? throw LodeException.Internal("reading object: object not found").With("revision", blob.Revision.ToStringUtf8());
                    if (content.Info.Type != ObjectTypes.Blob)
                    {
                        throw LodeException.InvalidArgument("object is not a blob");
                    }

                    var length = 0;
                    while (length < sniff.Length)
                    {
                        var read = await content.ReadAsync(sniff.AsMemory(length), cancellationToken);
                        if (read == 0)
                        {
                            break;
                        }

                        length += read;
                    }

                    // git cannot be asked for part of an object: the rest is read and dropped.
                    await content.CopyToAsync(Stream.Null, cancellationToken);
                    await writer.AddAsync(new GeneratedBlob
                    {
                        Revision = blob.Revision,
                        Generated = GeneratedFiles.IsGenerated(blob.Path.ToStringUtf8(), sniff.AsSpan(0, length)),
                    }, cancellationToken);
                }
            }

            await writer.FlushAsync(cancellationToken);
        }
        while (await requestStream.MoveNext(cancellationToken));
    }

    private static void Validate(CheckBlobsGeneratedRequest request)
    {
        if (request.Blobs.Count == 0)
        {
            throw LodeException.InvalidArgument("validating request: empty blobs");
        }

        foreach (var blob in request.Blobs)
        {
            if (RevisionValidator.Check(blob.Revision.Span, allowPathScoped: true) is { } problem)
            {
                throw LodeException.InvalidArgument("validating request: " + problem);
            }

            // "rev:./path" is fatal to git in a bare repository (it would kill the reader); it names nothing.
            var colon = blob.Revision.Span.IndexOf((byte)':');
            if (colon >= 0 && GitPath.IsRelativeSyntax(blob.Revision.Span[(colon + 1)..]))
            {
                throw LodeException.Internal("reading object: object not found").With("revision", blob.Revision.ToStringUtf8());
            }

            if (blob.Path.IsEmpty)
            {
                throw LodeException.InvalidArgument("validating request: empty path");
            }
        }
    }
}
