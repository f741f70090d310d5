using System.Buffers.Text;
using System.Text;
using Lode.Core.Errors;

namespace Lode.Git.Objects;

/// <summary>
/// One record of <c>git ls-tree -z</c>: <c>mode SP type SP oid TAB path</c>, or with <c>--long</c>
/// <c>mode SP type SP oid SP+ size TAB path</c> (size "-" for trees and submodules). The path is raw bytes.
/// </summary>
/// <param name="Mode">The mode as a number (its octal digits read as octal).</param>
/// <param name="Type"><c>blob</c>, <c>tree</c> or <c>commit</c>.</param>
/// <param name="Size">The blob size with <c>--long</c>; -1 otherwise and for trees and submodules.</param>
public sealed record LsTreeEntry(int Mode, string Type, string Oid, long Size, byte[] Path)
{
    /// <summary>Parses one NUL-terminated record (without its NUL).</summary>
    public static LsTreeEntry Parse(ReadOnlySpan<byte> record)
    {
        var tab = record.IndexOf((byte)'\t');
        if (tab < 0)
        {
            throw Invalid(record);
        }

        var header = record[..tab];
        var path = record[(tab + 1)..].ToArray();

        var firstSpace = header.IndexOf((byte)' ');
        if (firstSpace <= 0)
        {
            throw Invalid(record);
        }

        var mode = 0;
        foreach (var digit in header[..firstSpace])
        {
            if (digit is < (byte)'0' or > (byte)'7')
            {
                throw Invalid(record);
            }

            mode = (mode << 3) | (digit - '0');
        }

        var rest = header[(firstSpace + 1)..];
        var secondSpace = rest.IndexOf((byte)' ');
        if (secondSpace <= 0)
        {
            throw Invalid(record);
        }

        var type = ObjectTypes.ToName(rest[..secondSpace]);
        rest = rest[(secondSpace + 1)..];

        var oidEnd = rest.IndexOf((byte)' ');
        var oid = oidEnd < 0 ? rest : rest[..oidEnd];
        long size = -1;
        if (oidEnd >= 0)
        {
            var sizeText = rest[oidEnd..].TrimStart((byte)' ');
            if (!sizeText.SequenceEqual("-"u8) &&
                (!Utf8Parser.TryParse(sizeText, out size, out var consumed) || consumed != sizeText.Length))
            {
                throw Invalid(record);
            }
        }

        return new LsTreeEntry(mode, type, Encoding.ASCII.GetString(oid), size, path);
    }

    private static LodeException Invalid(ReadOnlySpan<byte> record) =>
        LodeException.Internal("parsing ls-tree output: invalid record").With("record", Encoding.UTF8.GetString(record));
}
