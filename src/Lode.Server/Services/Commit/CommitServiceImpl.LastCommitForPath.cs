using System.Text;
using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Core.Storage;
using Lode.Git.Commands;
using Lode.Git.Objects;
using Lode.Git.Refs;
using Lode.Server.Conversions;

namespace Lode.Server.Services.Commit;

internal sealed partial class CommitServiceImpl
{
    /// <summary>
    /// The last commit reachable from the revision that touched the path: <c>git log --format=%H --max-count=1
    /// revision -- path</c>, then the commit read through cat-file. An empty or "/" path means the whole tree. No
    /// commit is an empty response; a revision git cannot read is INTERNAL, as in Gitaly.
    /// </summary>
    public override async Task<LastCommitForPathResponse> LastCommitForPath(LastCommitForPathRequest request, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var repository = resolver.Resolve(request.Repository);
        RevisionValidator.Validate(request.Revision.Span);

        var path = request.Path.Span;
        if (!path.IsEmpty && !path.SequenceEqual("/"u8))
        {
            if (path[0] == (byte)'/')
            {
                throw LodeException.InvalidArgument("path is an absolute path").With("path", request.Path.ToStringUtf8());
            }

            if (!GitPath.IsLocal(path))
            {
                throw LodeException.InvalidArgument("path escapes repository").With("path", request.Path.ToStringUtf8());
            }
        }

        var options = request.GlobalOptions;
        if (request.LiteralPathspec)
        {
            options = new GlobalOptions { LiteralPathspecs = true };
        }

        var logPath = path.IsEmpty || path.SequenceEqual("/"u8) ? "."u8.ToArray() : request.Path.ToByteArray();
        var oid = await LastCommitIdAsync(repository, request.Revision.Memory, logPath, options, cancellationToken);
        if (oid is null)
        {
            return new LastCommitForPathResponse();
        }

        await using var lease = await objects.GetAsync(repository, context);
        var commit = await CommitLookup.FindAsync(lease.Reader, oid, cancellationToken);
        return new LastCommitForPathResponse { Commit = commit };
    }

    /// <summary>
    /// The id of the last commit that touched <paramref name="path"/>, or null when none did. Paths that are not
    /// UTF-8 reach git through <c>--stdin</c>.
    /// </summary>
    private async Task<string?> LastCommitIdAsync(RepositoryPaths repository, ReadOnlyMemory<byte> revision, ReadOnlyMemory<byte> path,
        GlobalOptions? options, CancellationToken cancellationToken)
    {
        var command = git.Create(repository, GitSubcommand.Log)
            .Flags("--format=%H", "--max-count=1")
            .WithGlobalOptions(options);
        var stdin = RevisionArguments.Add(command, [revision], [path]);
        await using var log = await command.StartAsync(cancellationToken);
        var write = RevisionArguments.WriteStdinAsync(log, stdin, cancellationToken);
        using var output = new MemoryStream();
        await log.Stdout.CopyToAsync(output, cancellationToken);
        await write;
        var exitCode = await log.WaitAsync(cancellationToken);
        if (exitCode != 0)
        {
            throw LodeException.Internal("logging last commit for path: exit status " + exitCode)
                .With("stderr", log.Stderr);
        }

        var text = Encoding.ASCII.GetString(output.GetBuffer(), 0, (int)output.Length);
        if (text.Length == 0)
        {
            return null;
        }

        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        if (newline < 0 || newline != text.Length - 1)
        {
            throw LodeException.Internal("expected object ID terminated by newline");
        }

        return text[..newline];
    }
}
