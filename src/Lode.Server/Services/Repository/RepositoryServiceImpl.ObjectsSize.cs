using System.Text;
using System.Text.RegularExpressions;
using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.Commands;
using Lode.Git.Refs;

namespace Lode.Server.Services.Repository;

internal sealed partial class RepositoryServiceImpl
{
    /// <summary>git 2.42 accepts pseudo revisions (<c>--all</c>, <c>--not</c>, …) on <c>rev-list --stdin</c>.</summary>
    private static readonly GitVersion StdinPseudoRevisions = new(2, 42, 0, "2.42.0");

    /// <summary>
    /// Client stream of revisions in rev-list syntax; answers the on-disk size of every object reachable from them
    /// (<c>git rev-list --disk-usage --objects</c>). Only the first message may name the repository.
    /// </summary>
    public override async Task<ObjectsSizeResponse> ObjectsSize(IAsyncStreamReader<ObjectsSizeRequest> requestStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        if (!await requestStream.MoveNext(cancellationToken))
        {
            // Gitaly fails with INTERNAL here; an empty stream is the client's mistake, so it is INVALID_ARGUMENT.
            throw LodeException.InvalidArgument("receiving initial request: EOF");
        }

        var request = requestStream.Current;
        var paths = resolver.Resolve(request.Repository);

        // Older git refuses pseudo revisions on stdin; they are then passed as arguments, in order.
        var revisions = new List<byte[]>();
        var usePseudoArguments = false;
        for (var i = 0; ; i++)
        {
            if (i != 0 && request.Repository is not null)
            {
                throw LodeException.InvalidArgument("subsequent requests must not contain repository");
            }

            if (request.Revisions.Count == 0)
            {
                throw LodeException.InvalidArgument("no revisions specified");
            }

            foreach (var revision in request.Revisions)
            {
                if (RevisionValidator.Check(revision.Span, allowPseudo: true) is { } problem)
                {
                    throw LodeException.InvalidArgument("validating revision: " + problem).With("revision", revision.ToStringUtf8());
                }

                usePseudoArguments |= revision.Span.StartsWith("--"u8);
                revisions.Add(revision.ToByteArray());
            }

            if (!await requestStream.MoveNext(cancellationToken))
            {
                break;
            }

            request = requestStream.Current;
        }

        usePseudoArguments &= git.Version.CompareTo(StdinPseudoRevisions) < 0;
        var command = git.Create(paths, GitSubcommand.RevList).Flags("--disk-usage", "--objects");
        if (usePseudoArguments)
        {
            foreach (var revision in revisions)
            {
                var text = Encoding.UTF8.GetString(revision);
                if (text.StartsWith("--", StringComparison.Ordinal))
                {
                    command.Flag(text);
                }
                else
                {
                    command.Arg(text);
                }
            }
        }
        else
        {
            command.Flag("--stdin").WithStdin();
        }

        await using var process = await command.StartAsync(cancellationToken);
        var stdoutTask = ReadAllAsync(process.Stdout, cancellationToken);
        if (!usePseudoArguments)
        {
            try
            {
                foreach (var revision in revisions)
                {
                    await process.Stdin.WriteAsync(revision, cancellationToken);
                    await process.Stdin.WriteAsync("\n"u8.ToArray(), cancellationToken);
                }
            }
            catch (IOException)
            {
                // git stopped reading (a bad revision ends it early); its exit status tells why.
            }

            process.CloseStdin();
        }

        var stdout = await stdoutTask;
        var exitCode = await process.WaitAsync(cancellationToken);
        if (exitCode != 0)
        {
            if (BadRevision().Match(process.Stderr) is { Success: true } match)
            {
                throw LodeException.NotFound("revision not found").With("revision", match.Groups[1].Value);
            }

            throw LodeException.Internal("rev-list failed with error code " + exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .With("stderr", process.Stderr);
        }

        var output = Encoding.ASCII.GetString(stdout).Trim();
        if (!ulong.TryParse(output, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size))
        {
            throw LodeException.Internal("parsing object size: invalid syntax").With("output", output);
        }

        return new ObjectsSizeResponse { Size = size };
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    [GeneratedRegex("^fatal: bad revision '([^']*)'", RegexOptions.CultureInvariant)]
    private static partial Regex BadRevision();
}
