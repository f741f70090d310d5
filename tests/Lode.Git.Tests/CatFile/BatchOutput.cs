using System.Text;
using Lode.Git.CatFile;

namespace Lode.Git.Tests.CatFile;

/// <summary>Rebuilds <c>git cat-file --batch</c> output from reader results, to compare with git's own byte for byte.</summary>
internal sealed class BatchOutput
{
    private readonly MemoryStream buffer = new();

    public void Add(string revision, GitObject? result)
    {
        if (result is null)
        {
            Write($"{revision} missing\n");
            return;
        }

        Write($"{result.Oid} {result.Type} {result.Size}\n");
        buffer.Write(result.Span);
        buffer.WriteByte((byte)'\n');
    }

    /// <summary>An answer given as parts; a null id means "missing".</summary>
    public void AddRaw(string? oid, string? type, byte[] content, string? revision = null)
    {
        if (oid is null)
        {
            Write($"{revision} missing\n");
            return;
        }

        Write($"{oid} {type} {content.Length}\n");
        buffer.Write(content);
        buffer.WriteByte((byte)'\n');
    }

    public void AddInfo(string revision, ObjectInfo? info) =>
        Write(info is null ? $"{revision} missing\n" : $"{info.Oid} {info.Type} {info.Size}\n");

    public byte[] ToArray() => buffer.ToArray();

    private void Write(string text) => buffer.Write(Encoding.UTF8.GetBytes(text));
}
