using System.Text;
using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.Commands;

namespace Lode.Server.Services.Repository;

internal sealed partial class RepositoryServiceImpl
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The best common ancestor of two or more revisions (<c>git merge-base</c>). Any git failure (an unknown
    /// revision, unrelated histories) is an empty base, as in Gitaly, which callers read as "no merge base".
    /// </summary>
    public override async Task<FindMergeBaseResponse> FindMergeBase(FindMergeBaseRequest request, ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository);
        if (request.Revisions.Count < 2)
        {
            throw LodeException.InvalidArgument("at least 2 revisions are required");
        }

        var revisions = new List<string>(request.Revisions.Count);
        Git.CatFile.CatFileLease? lease = null;
        try
        {
            foreach (var revision in request.Revisions)
            {
                // Arguments are strings: a non-UTF-8 revision (a ref with such a name) is resolved to its id first.
                if (TryDecodeUtf8(revision.Span, out var text) && !text.Contains('\0', StringComparison.Ordinal))
                {
                    revisions.Add(text);
                    continue;
                }

                lease ??= await objects.GetAsync(paths, context);
                var info = revision.Span.Contains((byte)0) ? null : await lease.Reader.InfoAsync(revision.Memory, context.CancellationToken);
                if (info is null)
                {
                    return new FindMergeBaseResponse();
                }

                revisions.Add(info.Oid);
            }
        }
        finally
        {
            if (lease is not null)
            {
                await lease.DisposeAsync();
            }
        }

        var (exitCode, stdout, _) = await git.Create(paths, GitSubcommand.MergeBase)
            .EndOfOptions()
            .Args(revisions)
            .RunUncheckedAsync(context.CancellationToken);
        if (exitCode != 0)
        {
            return new FindMergeBaseResponse();
        }

        return new FindMergeBaseResponse { Base = Encoding.ASCII.GetString(stdout).TrimEnd('\n') };
    }

    /// <summary>Decodes strictly: false when <paramref name="bytes"/> is not valid UTF-8.</summary>
    private static bool TryDecodeUtf8(ReadOnlySpan<byte> bytes, out string text)
    {
        try
        {
            text = StrictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = string.Empty;
            return false;
        }
    }
}
