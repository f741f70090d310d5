using System.Text;
using System.Text.RegularExpressions;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Core.Storage;
using Lode.Git.Commands;

namespace Lode.Server.Services.Repository;

internal sealed partial class RepositoryServiceImpl
{
    /// <summary>Gitaly's bound on the filter, against costly patterns.</summary>
    private const int SearchFilesFilterMaxLength = 1000;

    /// <summary>
    /// The paths of the tree at <c>ref</c> under the pathspec <c>query</c> ("." for all), filtered by the regular
    /// expression <c>filter</c>, skipping <c>offset</c> matches and returning at most <c>limit</c> (0: all), in one
    /// message. A ref that names nothing answers an empty list, as in Gitaly.
    /// </summary>
    public override async Task SearchFilesByName(SearchFilesByNameRequest request,
        IServerStreamWriter<SearchFilesByNameResponse> responseStream, ServerCallContext context)
    {
        var paths = ValidateSearchFilesRequest(request.Repository, request.Query, request.Ref);
        var cancellationToken = context.CancellationToken;
        Regex? filter = null;
        if (request.Filter.Length > 0)
        {
            if (request.Filter.Length > SearchFilesFilterMaxLength)
            {
                throw LodeException.InvalidArgument("filter exceeds maximum length");
            }

            filter = CompileFilter(request.Filter);
        }

        var response = new SearchFilesByNameResponse();
        var reference = await SearchRefArgumentAsync(paths, request.Ref, context);
        if (reference is not null)
        {
            await using var process = await git.Create(paths, GitSubcommand.LsTree)
                .Flags("--full-tree", "--name-status", "-r", "-z")
                .Arg(reference)
                .Paths([request.Query])
                .StartAsync(cancellationToken);
            var index = 0;
            await foreach (var path in DelimitedRecords.ReadAsync(process.StdoutReader, 0, cancellationToken))
            {
                if (filter is not null && !filter.IsMatch(Encoding.UTF8.GetString(path)))
                {
                    continue;
                }

                index++;
                if (index > request.Offset)
                {
                    response.Files.Add(ByteString.CopyFrom(path));
                }

                if (request.Limit > 0 && response.Files.Count >= request.Limit)
                {
                    break;
                }
            }

            // A ref that names nothing makes ls-tree fail with no output; like Gitaly, that is an empty answer.
            process.Kill();
        }

        await responseStream.WriteAsync(response, cancellationToken);
    }

    /// <summary>Gitaly's validation shared by both searches, in its order.</summary>
    private RepositoryPaths ValidateSearchFilesRequest(Gitaly.Repository? repository, string query, ByteString reference)
    {
        var paths = resolver.Resolve(repository);
        if (query.Length == 0)
        {
            throw LodeException.InvalidArgument("no query given");
        }

        if (reference.IsEmpty)
        {
            throw LodeException.InvalidArgument("no ref given");
        }

        if (reference.Span[0] == (byte)'-')
        {
            throw LodeException.InvalidArgument("invalid ref argument");
        }

        return paths;
    }

    /// <summary>
    /// The ref as a git argument. Arguments are strings, so a ref that is not UTF-8 (or holds NUL) is resolved to its
    /// object id first; null when it names nothing.
    /// </summary>
    private async Task<string?> SearchRefArgumentAsync(RepositoryPaths paths, ByteString reference, ServerCallContext context)
    {
        if (TryDecodeUtf8(reference.Span, out var text) && !text.Contains('\0', StringComparison.Ordinal))
        {
            return text;
        }

        if (reference.Span.Contains((byte)0))
        {
            return null;
        }

        await using var lease = await objects.GetAsync(paths, context);
        var info = await lease.Reader.InfoAsync(reference.Memory, context.CancellationToken);
        return info?.Oid;
    }

    /// <summary>
    /// Compiles the filter. Gitaly uses Go's RE2, which guarantees linear time and has no backreferences or
    /// lookarounds; .NET's non-backtracking engine has the same guarantee and refuses the same constructs. RE2's
    /// <c>(?P&lt;name&gt;…)</c> group syntax is accepted too.
    /// </summary>
    private static Regex CompileFilter(string filter)
    {
        try
        {
            return new Regex(filter.Replace("(?P<", "(?<", StringComparison.Ordinal),
                RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw LodeException.InvalidArgument("filter did not compile: error parsing regexp: " + e.Message);
        }
    }
}
