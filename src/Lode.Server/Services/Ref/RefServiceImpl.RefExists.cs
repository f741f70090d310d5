using System.Text;
using System.Text.Unicode;
using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.Commands;
using Lode.Git.Refs;

namespace Lode.Server.Services.Ref;

internal sealed partial class RefServiceImpl
{
    /// <summary>
    /// Whether a fully qualified ref exists (<c>git show-ref --verify --quiet</c>: exit 0 yes, 1 no, else an error).
    /// A name that is not UTF-8 cannot be an argument; it is looked up in for-each-ref's listing instead.
    /// </summary>
    public override async Task<RefExistsResponse> RefExists(RefExistsRequest request, ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository);
        var name = request.Ref.Memory;
        if (!name.Span.StartsWith("refs/"u8))
        {
            throw LodeException.InvalidArgument("invalid refname");
        }

        var cancellationToken = context.CancellationToken;
        if (!Utf8.IsValid(name.Span))
        {
            var query = new RefListQuery { Format = "%(refname)", Patterns = [name] };
            await foreach (var found in RefLister.ListAsync(git, paths, query, cancellationToken))
            {
                if (found.AsSpan().SequenceEqual(name.Span))
                {
                    return new RefExistsResponse { Value = true };
                }
            }

            return new RefExistsResponse { Value = false };
        }

        var (exitCode, _, stderr) = await git.Create(paths, GitSubcommand.ShowRef)
            .Flags("--verify", "--quiet")
            .EndOfOptions()
            .Arg(Encoding.UTF8.GetString(name.Span))
            .RunUncheckedAsync(cancellationToken);
        return exitCode switch
        {
            0 => new RefExistsResponse { Value = true },
            1 => new RefExistsResponse { Value = false },
            _ => throw new GitCommandException(GitSubcommand.ShowRef.Name, exitCode, stderr),
        };
    }
}
