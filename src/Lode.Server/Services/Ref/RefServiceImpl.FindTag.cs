using System.Text;
using System.Text.Unicode;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Git.CatFile;
using Lode.Git.Commands;
using Lode.Git.Objects;
using Lode.Git.Refs;
using Lode.Server.Conversions;
using Lode.Server.Errors;

namespace Lode.Server.Services.Ref;

internal sealed partial class RefServiceImpl
{
    /// <summary>
    /// One tag by name. As in Gitaly the name is a <c>git tag -l</c> pattern and the first match (in ref order)
    /// is returned; an annotated tag comes with its tagger, trimmed message and the commit it finally peels to.
    /// No match is NOT_FOUND with FindTagError.tag_not_found.
    /// </summary>
    public override async Task<FindTagResponse> FindTag(FindTagRequest request, ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository);
        if (request.TagName.IsEmpty)
        {
            throw LodeException.InvalidArgument("tag name is empty");
        }

        var cancellationToken = context.CancellationToken;
        var found = await FirstMatchingTagAsync(paths, request.TagName.Memory, cancellationToken);
        if (found is not { } match)
        {
            var reference = new byte["refs/tags/".Length + request.TagName.Length];
            "refs/tags/"u8.CopyTo(reference);
            request.TagName.Span.CopyTo(reference.AsSpan("refs/tags/".Length));
            throw new StructuredException(ErrorCode.NotFound, "tag does not exist", new FindTagError
            {
                TagNotFound = new ReferenceNotFoundError { ReferenceName = ByteString.CopyFrom(reference) },
            });
        }

        await using var lease = await objects.GetAsync(paths, context);
        try
        {
            return new FindTagResponse { Tag = await BuildTagAsync(lease.Reader, match.Oid, match.Type, match.Name, cancellationToken) };
        }
        catch (LodeException e) when (e.Code == ErrorCode.Internal)
        {
            throw LodeException.Wrap("parsing tag", e);
        }
    }

    /// <summary>
    /// The first tag <c>git tag -l &lt;pattern&gt;</c> lists (ref order, the pattern a glob on the short name), as
    /// (oid, type, short name). A pattern that is not UTF-8 cannot be an argument: then every tag is listed and
    /// matched here with the same rule.
    /// </summary>
    private async Task<(string Oid, string Type, byte[] Name)?> FirstMatchingTagAsync(Core.Storage.RepositoryPaths paths,
        ReadOnlyMemory<byte> pattern, CancellationToken cancellationToken)
    {
        if (Utf8.IsValid(pattern.Span))
        {
            var output = await git.Create(paths, GitSubcommand.Tag)
                .Flags("-l", "--format=%(objectname)%00%(objecttype)%00%(refname:lstrip=2)")
                .EndOfOptions()
                .Arg(Encoding.UTF8.GetString(pattern.Span))
                .RunAsync(cancellationToken);
            var end = Array.IndexOf(output, (byte)'\n');
            if (output.Length == 0)
            {
                return null;
            }

            var fields = RefLister.SplitFields(end < 0 ? output : output[..end]);
            return (Encoding.ASCII.GetString(fields[0]), Encoding.ASCII.GetString(fields[1]), fields[2]);
        }

        var query = new RefListQuery { Format = "%(refname)%00%(objectname)%00%(objecttype)", Patterns = ["refs/tags/"u8.ToArray()] };
        await foreach (var record in RefLister.ListAsync(git, paths, query, cancellationToken))
        {
            var fields = RefLister.SplitFields(record);
            if (RefPatterns.MatchesListPattern(pattern.Span, fields[0]))
            {
                return (Encoding.ASCII.GetString(fields[1]), Encoding.ASCII.GetString(fields[2]), fields[0]["refs/tags/".Length..]);
            }
        }

        return null;
    }

    /// <summary>
    /// Gitaly's FindTag answer for one ref: an annotated tag parsed and trimmed, with the commit its chain of tags
    /// ends in; a lightweight tag of a commit with that commit; anything else with its id only.
    /// </summary>
    private static async Task<Tag> BuildTagAsync(ObjectReader reader, string oid, string type, byte[] name, CancellationToken cancellationToken)
    {
        switch (type)
        {
            case ObjectTypes.Tag:
                {
                    Tag tag;
                    TaggedObject tagged;
                    using (var obj = await reader.ReadAsync(oid, cancellationToken))
                    {
                        if (obj is null || obj.Type != ObjectTypes.Tag)
                        {
                            throw LodeException.Internal("getting annotated tag: expected tag").With("oid", oid);
                        }

                        tag = TagConverter.Parse(obj.Oid, obj.Span, name, out tagged);
                    }

                    // A tag of a commit names it; a tag of a tag is peeled to whatever the chain ends in.
                    var peel = tagged.Type switch
                    {
                        ObjectTypes.Commit => tagged.Oid + "^{commit}",
                        ObjectTypes.Tag => tagged.Oid + "^{}",
                        _ => null,
                    };
                    if (peel is not null)
                    {
                        using var target = await reader.ReadAsync(peel, cancellationToken);
                        if (target is { Type: ObjectTypes.Commit })
                        {
                            tag.TargetCommit = CommitConverter.ToProto(target.Oid, CommitParser.Parse(target.Span));
                        }
                        else if (tagged.Type == ObjectTypes.Commit)
                        {
                            throw LodeException.Internal("getting annotated tag: object not found").With("oid", tagged.Oid);
                        }
                    }

                    TagConverter.TrimMessage(tag);
                    return tag;
                }

            case ObjectTypes.Commit:
                {
                    using var commit = await reader.ReadAsync(oid + "^{commit}", cancellationToken);
                    if (commit is null || commit.Type != ObjectTypes.Commit)
                    {
                        throw LodeException.Internal("getting commit catfile: object not found").With("oid", oid);
                    }

                    return new Tag
                    {
                        Id = oid,
                        Name = ByteString.CopyFrom(name),
                        TargetCommit = CommitConverter.ToProto(commit.Oid, CommitParser.Parse(commit.Span)),
                    };
                }

            default:
                return new Tag { Id = oid, Name = ByteString.CopyFrom(name) };
        }
    }
}
