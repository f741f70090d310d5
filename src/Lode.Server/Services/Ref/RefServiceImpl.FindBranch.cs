using System.Text;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Core.Text;
using Lode.Git.Objects;
using Lode.Git.Refs;

namespace Lode.Server.Services.Ref;

internal sealed partial class RefServiceImpl
{
    /// <summary>
    /// One branch by name. As in Gitaly the name is always prefixed with refs/heads/ (so "refs/heads/x" looks up
    /// refs/heads/refs/heads/x), looked up as a for-each-ref pattern: when the first match is another ref (a glob,
    /// or a ref below the name) the name is ambiguous. A missing branch is an empty response; the answer carries
    /// the short name.
    /// </summary>
    public override async Task<FindBranchResponse> FindBranch(FindBranchRequest request, ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository);
        if (request.Name.IsEmpty)
        {
            throw LodeException.InvalidArgument("Branch name cannot be empty");
        }

        var cancellationToken = context.CancellationToken;
        var reference = new byte["refs/heads/".Length + request.Name.Length];
        "refs/heads/"u8.CopyTo(reference);
        request.Name.Span.CopyTo(reference.AsSpan("refs/heads/".Length));

        var query = new RefListQuery { Format = "%(refname)%00%(objectname)%00%(symref)", Patterns = [reference], Count = 1 };
        byte[]? record = null;
        await foreach (var found in RefLister.ListAsync(git, paths, query, cancellationToken))
        {
            record ??= found;
        }

        if (record is null)
        {
            return new FindBranchResponse();
        }

        var fields = RefLister.SplitFields(record);
        if (!fields[0].AsSpan().SequenceEqual(reference))
        {
            throw LodeException.InvalidArgument("target reference is ambiguous: reference is ambiguous: conflicts with " + GoQuote.Quote(fields[0]));
        }

        await using var lease = await objects.GetAsync(paths, context);
        using var commit = await lease.Reader.ReadAsync(Encoding.ASCII.GetString(fields[1]) + "^{commit}", cancellationToken);
        if (commit is null || commit.Type != ObjectTypes.Commit)
        {
            throw LodeException.Internal("object not found").With("reference", Encoding.UTF8.GetString(reference));
        }

        return new FindBranchResponse
        {
            Branch = new Branch
            {
                Name = request.Name,
                TargetCommit = Conversions.CommitConverter.ToProto(commit.Oid, CommitParser.Parse(commit.Span)),
            },
        };
    }
}
