using System.Text;
using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.Commands;
using Lode.Git.Refs;

namespace Lode.Server.Services.Ref;

internal sealed partial class RefServiceImpl
{
    /// <summary>
    /// Names of the refs pointing at an object (<c>for-each-ref --points-at</c>), under refs/heads/ and refs/tags/
    /// unless patterns are given, sorted by sort_field (any for-each-ref key) and limited. git's usage errors
    /// (exit 129, e.g. an unknown object) are INVALID_ARGUMENT as in Gitaly.
    /// </summary>
    public override async Task<FindRefsByOIDResponse> FindRefsByOID(FindRefsByOIDRequest request, ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository);
        if (request.Oid.Length == 0)
        {
            throw LodeException.InvalidArgument("empty Oid");
        }

        var patterns = new List<ReadOnlyMemory<byte>>();
        foreach (var pattern in request.RefPatterns)
        {
            patterns.Add(Encoding.UTF8.GetBytes(pattern));
        }

        if (patterns.Count == 0)
        {
            patterns.Add("refs/tags/"u8.ToArray());
            patterns.Add("refs/heads/"u8.ToArray());
        }

        var flags = new List<string>();
        if (request.SortField.Length > 0)
        {
            flags.Add("--sort=" + request.SortField);
        }

        flags.Add("--points-at=" + request.Oid);
        var query = new RefListQuery
        {
            Format = "%(refname)",
            Patterns = patterns,
            Flags = flags,
            Count = request.Limit > int.MaxValue ? int.MaxValue : (int)request.Limit,
        };

        var response = new FindRefsByOIDResponse();
        try
        {
            await foreach (var name in RefLister.ListAsync(git, paths, query, context.CancellationToken))
            {
                response.Refs.Add(Encoding.UTF8.GetString(name));
            }
        }
        catch (GitCommandException e)
        {
            var error = new LodeException(e.ExitCode == 129 ? ErrorCode.InvalidArgument : ErrorCode.Internal,
                "for-each-ref pipeline command: exit status " + e.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
            error.With("stderr", e.Stderr);
            throw error;
        }

        return response;
    }
}
