using System.Text;
using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Core.Storage;
using Lode.Git.Commands;
using static Gitaly.GetFileAttributesResponse.Types;

namespace Lode.Server.Services.Repository;

internal sealed partial class RepositoryServiceImpl
{
    /// <summary>git 2.40 added <c>check-attr --source</c>, which reads the attributes of a tree directly.</summary>
    private static readonly GitVersion CheckAttrSource = new(2, 40, 0, "2.40.0");

    /// <summary>
    /// The gitattributes of <c>paths</c> for <c>attributes</c>, as the <c>.gitattributes</c> files at <c>revision</c>
    /// (and <c>info/attributes</c>) define them. Unspecified attributes are left out; values are git's: <c>set</c>,
    /// <c>unset</c> or the value.
    /// </summary>
    public override async Task<GetFileAttributesResponse> GetFileAttributes(GetFileAttributesRequest request, ServerCallContext context)
    {
        var paths = resolver.Resolve(request.Repository);
        if (request.Revision.IsEmpty)
        {
            throw LodeException.InvalidArgument("revision is required");
        }

        if (request.Paths.Count == 0)
        {
            throw LodeException.InvalidArgument("file paths are required");
        }

        if (request.Attributes.Count == 0)
        {
            throw LodeException.InvalidArgument("attributes are required");
        }

        var cancellationToken = context.CancellationToken;
        foreach (var path in request.Paths)
        {
            if (path.Contains('\0', StringComparison.Ordinal))
            {
                throw LodeException.InvalidArgument("check attr: path with NUL byte not allowed");
            }
        }

        string? indexDirectory = null;
        try
        {
            var command = git.Create(paths, GitSubcommand.CheckAttr).Flags("--stdin", "-z");
            if (git.Version.CompareTo(CheckAttrSource) >= 0 && TryDecodeUtf8(request.Revision.Span, out var revisionText)
                && !revisionText.Contains('\0', StringComparison.Ordinal))
            {
                command.Flag("--source=" + revisionText);
            }
            else
            {
                // Older git reads attributes from the index instead: load the revision's tree into a scratch index.
                indexDirectory = StorageDirectories.CreateTempDirectory(paths.StorageRoot, "check-attr-");
                var index = Path.Combine(indexDirectory, "index");
                await ReadTreeIntoIndexAsync(paths, request.Revision, index, context);
                command.Flag("--cached").Env("GIT_INDEX_FILE", index);
            }

            var attributeNames = new List<string>(request.Attributes.Count);
            foreach (var attribute in request.Attributes)
            {
                attributeNames.Add(attribute);
            }

            var infos = new GetFileAttributesResponse();
            await using var process = await command.WithStdin().Args(attributeNames).StartAsync(cancellationToken);
            var stdin = new MemoryStream();
            foreach (var path in request.Paths)
            {
                stdin.Write(Encoding.UTF8.GetBytes(path));
                stdin.WriteByte(0);
            }

            var writing = WriteAndCloseAsync(process, stdin.ToArray(), cancellationToken);

            // Output: path NUL attribute NUL value NUL, for every path and every attribute, in request order.
            var fields = new List<byte[]>(3);
            await foreach (var field in DelimitedRecords.ReadAsync(process.StdoutReader, 0, cancellationToken))
            {
                fields.Add(field);
                if (fields.Count < 3)
                {
                    continue;
                }

                var value = Encoding.UTF8.GetString(fields[2]);
                if (value != "unspecified")
                {
                    infos.AttributeInfos.Add(new AttributeInfo
                    {
                        Path = Encoding.UTF8.GetString(fields[0]),
                        Attribute = Encoding.UTF8.GetString(fields[1]),
                        Value = value,
                    });
                }

                fields.Clear();
            }

            await writing;
            var exitCode = await process.WaitAsync(cancellationToken);
            if (exitCode != 0)
            {
                throw LodeException.Wrap("check attr", new GitCommandException("check-attr", exitCode, process.Stderr));
            }

            return infos;
        }
        finally
        {
            if (indexDirectory is not null)
            {
                Directory.Delete(indexDirectory, recursive: true);
            }
        }
    }

    /// <summary>
    /// <c>git read-tree</c> of the revision into <paramref name="index"/>. A revision that names no tree is
    /// INVALID_ARGUMENT (Gitaly fails inside check-attr with INTERNAL).
    /// </summary>
    private async Task ReadTreeIntoIndexAsync(RepositoryPaths paths, Google.Protobuf.ByteString revision, string index,
        ServerCallContext context)
    {
        await using var lease = await objects.GetAsync(paths, context);
        var peeled = new byte[revision.Length + "^{tree}".Length];
        revision.Span.CopyTo(peeled);
        "^{tree}"u8.CopyTo(peeled.AsSpan(revision.Length));
        var tree = revision.Span.Contains((byte)0) ? null : await lease.Reader.InfoAsync(peeled, context.CancellationToken);
        if (tree is null)
        {
            throw LodeException.InvalidArgument("check attr: invalid revision").With("revision", revision.ToStringUtf8());
        }

        var (exitCode, _, stderr) = await git.Create(paths, GitSubcommand.ReadTree)
            .Env("GIT_INDEX_FILE", index)
            .EndOfOptions()
            .Arg(tree.Oid)
            .RunUncheckedAsync(context.CancellationToken);
        if (exitCode != 0)
        {
            throw LodeException.Wrap("check attr", new GitCommandException("read-tree", exitCode, stderr));
        }
    }

    private static async Task WriteAndCloseAsync(GitProcess process, byte[] data, CancellationToken cancellationToken)
    {
        try
        {
            await process.Stdin.WriteAsync(data, cancellationToken);
            await process.Stdin.FlushAsync(cancellationToken);
        }
        catch (IOException)
        {
            // git went away; its exit status says why.
        }
        finally
        {
            process.CloseStdin();
        }
    }
}
