using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Core.Storage;
using Lode.Git.CatFile;
using Lode.Git.Commands;
using Lode.Git.Objects;
using Lode.Git.Refs;
using Lode.Server.Errors;
using Lode.Server.Streaming;

namespace Lode.Server.Services.Commit;

internal sealed partial class CommitServiceImpl
{
    /// <summary>
    /// <c>git blame --porcelain</c> of a file, streamed as git writes it in chunks of up to 128 KiB. The range
    /// is git's <c>-L start,end</c>; the ignore-revisions blob is written to a temporary file for
    /// <c>--ignore-revs-file</c>. git's failures are turned into Gitaly's structured errors by their stderr.
    /// </summary>
    public override async Task RawBlame(RawBlameRequest request, IServerStreamWriter<RawBlameResponse> responseStream,
        ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var repository = resolver.Resolve(request.Repository);
        RevisionValidator.Validate(request.Revision.Span);
        if (request.Path.IsEmpty)
        {
            throw LodeException.InvalidArgument("empty Path");
        }

        var path = request.Path.ToStringUtf8();
        if (!GitPath.IsLocal(request.Path.Span))
        {
            throw LodeException.InvalidArgument("path escapes repository root").With("path", path);
        }

        if (!request.Range.IsEmpty && !BlameRange().IsMatch(request.Range.ToStringUtf8()))
        {
            throw LodeException.InvalidArgument("invalid Range");
        }

        var revision = request.Revision.ToStringUtf8();
        var command = git.Create(repository, GitSubcommand.Blame).Flag("--porcelain");
        if (!request.Range.IsEmpty)
        {
            // Digits and a comma only (checked above), so the stuck form "-Lstart,end" is safe.
            command.Flag("-L" + request.Range.ToStringUtf8());
        }

        string? ignoreRevsFile = null;
        try
        {
            if (!request.IgnoreRevisionsBlob.IsEmpty)
            {
                ignoreRevsFile = await WriteIgnoreRevsFileAsync(repository, request.IgnoreRevisionsBlob, context);
                command.Flag("--ignore-revs-file=" + ignoreRevsFile);
            }

            command.EndOfOptions().Arg(revision).Paths([path]);
            await using var blame = await command.StartAsync(cancellationToken);
            await ByteStreamSender.CopyAsync(blame.Stdout, responseStream, static data => new RawBlameResponse { Data = data },
                cancellationToken);
            var exitCode = await blame.WaitAsync(cancellationToken);
            if (exitCode != 0)
            {
                throw BlameError(blame.Stderr, exitCode, request.Path, path, revision);
            }
        }
        finally
        {
            if (ignoreRevsFile is not null)
            {
                File.Delete(ignoreRevsFile);
            }
        }
    }

    /// <summary>Maps git blame's fatal messages to Gitaly's structured errors.</summary>
    private static LodeException BlameError(string stderr, int exitCode, ByteString pathBytes, string path, string revision)
    {
        if (stderr.StartsWith("fatal: no such path ", StringComparison.Ordinal))
        {
            var notFound = new StructuredException(ErrorCode.NotFound, "path not found in revision", new RawBlameError
            {
                PathNotFound = new PathNotFoundError { Path = pathBytes },
            });
            notFound.With("path", path).With("revision", revision);
            return notFound;
        }

        const string invalidObject = "fatal: invalid object name: ";
        if (stderr.StartsWith(invalidObject, StringComparison.Ordinal))
        {
            return new StructuredException(ErrorCode.NotFound, "invalid object name", new RawBlameError
            {
                InvalidIgnoreRevsFormat = new RawBlameError.Types.InvalidIgnoreRevsFormatError
                {
                    Content = ByteString.CopyFromUtf8(stderr[invalidObject.Length..]),
                },
            });
        }

        var lineCount = BlameLineCount().Match(stderr);
        if (lineCount.Success && ulong.TryParse(lineCount.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var lines))
        {
            var outOfRange = new StructuredException(ErrorCode.InvalidArgument, "range is outside of the file length", new RawBlameError
            {
                OutOfRange = new RawBlameError.Types.OutOfRangeError { ActualLines = lines },
            });
            outOfRange.With("path", path).With("revision", revision).With("lines", lines.ToString(CultureInfo.InvariantCulture));
            return outOfRange;
        }

        return LodeException.Internal("blaming file: exit status " + exitCode.ToString(CultureInfo.InvariantCulture))
            .With("stderr", stderr);
    }

    /// <summary>
    /// Copies the ignore-revisions blob into a file under the storage's <c>+gitaly/tmp</c> for git to read; the
    /// caller deletes it.
    /// </summary>
    private async Task<string> WriteIgnoreRevsFileAsync(RepositoryPaths repository, ByteString blobRevision, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        await using var lease = await objects.GetAsync(repository, context);

        // A relative path ("HEAD:./x") is fatal to git in a bare repository; it names nothing here either.
        var colon = blobRevision.Span.IndexOf((byte)':');
        var resolvable = !blobRevision.Span.Contains((byte)0) &&
            (colon < 0 || !GitPath.IsRelativeSyntax(blobRevision.Span[(colon + 1)..]));
        ObjectContentStream? content = resolvable ? await lease.Reader.OpenAsync(blobRevision.Memory, cancellationToken) : null;
        if (content is null)
        {
            throw new StructuredException(ErrorCode.NotFound, "cannot resolve ignore-revs blob", IgnoreRevsDetail(blobRevision));
        }

        await using (content)
        {
            if (content.Info.Type != ObjectTypes.Blob)
            {
                // Read the object to its end so that a pooled reader stays clean.
                await content.CopyToAsync(Stream.Null, cancellationToken);
                throw new StructuredException(ErrorCode.InvalidArgument, "ignore revision is not a blob", IgnoreRevsDetail(blobRevision));
            }

            var directory = StorageDirectories.Tmp(repository.StorageRoot);
            Directory.CreateDirectory(directory);
            var file = Path.Combine(directory, "ignore-revs-file-" + Guid.NewGuid().ToString("N"));
            try
            {
                await using var output = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096,
                    FileOptions.Asynchronous);
                await content.CopyToAsync(output, cancellationToken);
                return file;
            }
            catch
            {
                File.Delete(file);
                throw;
            }
        }
    }

    private static RawBlameError IgnoreRevsDetail(ByteString revision) => new()
    {
        ResolveIgnoreRevs = new RawBlameError.Types.ResolveIgnoreRevsError { IgnoreRevisionsBlob = revision },
    };

    [GeneratedRegex(@"\A[0-9]+,[0-9]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex BlameRange();

    [GeneratedRegex(@"\Afatal: file .* has only ([0-9]+) lines?\n\z", RegexOptions.CultureInvariant)]
    private static partial Regex BlameLineCount();
}
