using System.Buffers;
using System.Text;
using Lode.Git.Objects;
using Lode.Git.PktLine;
using Lode.Server.Gitlab;

namespace Lode.Server.Lfs;

/// <summary>
/// git's long-running filter process (gitattributes, protocol version 2) that replaces Git LFS pointers with their
/// objects, as Gitaly's gitaly-lfs-smudge does for GetArchive: git hands over each file whose attributes say
/// <c>filter=lfs</c>; a valid pointer is replaced by the object GitLab's <c>/lfs</c> serves, anything else (no pointer,
/// an object GitLab does not have) goes back unchanged.
/// </summary>
public sealed class LfsSmudgeFilter(IGitlabClient gitlab, string glRepository)
{
    /// <summary>The largest packet payload: smudged content goes back in packets of this size.</summary>
    private const int ChunkSize = PktLine.MaxDataLength;

    /// <summary>Git LFS writes pointers far smaller than this and reads none larger.</summary>
    private const int MaxPointerSize = 1024;

    public async Task RunAsync(Stream input, Stream output, CancellationToken cancellationToken)
    {
        await using var reader = new PktLineReader(input, leaveOpen: true);
        await using var writer = new PktLineWriter(output, leaveOpen: true);

        await ExpectAsync(reader, "git-filter-client\n", cancellationToken);
        var versions = (await ReadListAsync(reader, cancellationToken))!;
        if (!versions.Contains("version=2"))
        {
            throw new InvalidDataException("lfs-smudge: the client does not speak version 2 of the filter protocol");
        }

        writer.WriteString("git-filter-server\n");
        writer.WriteString("version=2\n");
        writer.WriteFlush();
        await writer.FlushAsync(cancellationToken);

        var capabilities = (await ReadListAsync(reader, cancellationToken))!;
        if (!capabilities.Contains("capability=smudge"))
        {
            throw new InvalidDataException("lfs-smudge: the client does not offer the smudge capability");
        }

        writer.WriteString("capability=smudge\n");
        writer.WriteFlush();
        await writer.FlushAsync(cancellationToken);

        while (true)
        {
            var header = await ReadListAsync(reader, cancellationToken, endOfInputAllowed: true);
            if (header is null)
            {
                return;
            }

            if (!header.Contains("command=smudge"))
            {
                throw new InvalidDataException("lfs-smudge: expected a smudge command, got " + string.Join(", ", header));
            }

            await using var content = await ReadContentAsync(reader, cancellationToken);
            await AnswerAsync(writer, content, cancellationToken);
        }
    }

    /// <summary>status=success, the smudged content in packets, a flush, and an empty status list (nothing changed).</summary>
    private async Task AnswerAsync(PktLineWriter writer, Stream content, CancellationToken cancellationToken)
    {
        Stream? lfsObject = null;
        if (content.Length <= MaxPointerSize)
        {
            var bytes = new byte[content.Length];
            await content.ReadExactlyAsync(bytes, cancellationToken);
            content.Position = 0;
            if (LfsPointer.TryParse(bytes, out var oid, out _))
            {
                lfsObject = await gitlab.GetLfsObjectAsync(Encoding.ASCII.GetString(oid), glRepository, cancellationToken);
            }
        }

        writer.WriteString("status=success\n");
        writer.WriteFlush();
        await using (lfsObject)
        {
            await CopyAsync(lfsObject ?? content, writer, cancellationToken);
        }

        writer.WriteFlush();
        writer.WriteFlush();
        await writer.FlushAsync(cancellationToken);
    }

    private static async Task CopyAsync(Stream source, PktLineWriter writer, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            int read;
            while ((read = await source.ReadAtLeastAsync(buffer.AsMemory(0, ChunkSize), ChunkSize, throwOnEndOfStream: false,
                       cancellationToken)) > 0)
            {
                writer.WriteData(buffer.AsSpan(0, read));
                await writer.FlushAsync(cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// A file's content up to git's flush. git wants no answer before it has sent everything, so a file that is not a
    /// pointer must be held to be echoed: in memory while it could still be a pointer, in a temporary file beyond.
    /// </summary>
    private static async Task<Stream> ReadContentAsync(PktLineReader reader, CancellationToken cancellationToken)
    {
        Stream content = new MemoryStream();
        try
        {
            while (true)
            {
                var packet = await reader.ReadAsync(cancellationToken) ?? throw new InvalidDataException("lfs-smudge: input ended inside a file");
                if (packet.IsFlush)
                {
                    content.Position = 0;
                    return content;
                }

                if (content is MemoryStream memory && memory.Length + packet.Data.Length > MaxPointerSize)
                {
                    var file = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 64 * 1024,
                        FileOptions.DeleteOnClose | FileOptions.Asynchronous);
                    memory.Position = 0;
                    await memory.CopyToAsync(file, cancellationToken);
                    content = file;
                }

                await content.WriteAsync(packet.Data, cancellationToken);
            }
        }
        catch
        {
            await content.DisposeAsync();
            throw;
        }
    }

    private static async Task ExpectAsync(PktLineReader reader, string expected, CancellationToken cancellationToken)
    {
        var packet = await reader.ReadAsync(cancellationToken);
        if (packet is not { IsFlush: false } data || Encoding.UTF8.GetString(data.Data.Span) != expected)
        {
            throw new InvalidDataException($"lfs-smudge: expected {expected.TrimEnd('\n')}");
        }
    }

    /// <summary>Text packets up to a flush, without their LF; null when the input ends before the first one (git is done).</summary>
    private static async Task<List<string>?> ReadListAsync(PktLineReader reader, CancellationToken cancellationToken, bool endOfInputAllowed = false)
    {
        var list = new List<string>();
        while (true)
        {
            var packet = await reader.ReadAsync(cancellationToken);
            if (packet is null)
            {
                return endOfInputAllowed && list.Count == 0 ? null : throw new InvalidDataException("lfs-smudge: input ended inside a list");
            }

            if (packet.Value.IsFlush)
            {
                return list;
            }

            list.Add(Encoding.UTF8.GetString(packet.Value.Data.Span).TrimEnd('\n'));
        }
    }
}
