namespace Lode.Git.Diff;

/// <summary>
/// One record of <c>git diff --raw -z</c> (or diff-tree): modes in octal text, object ids as printed (abbreviated
/// unless <c>--no-abbrev</c>), the status letters with an optional score (<c>R086</c>), and the paths as bytes.
/// <see cref="DstPath"/> is set only for renames and copies.
/// </summary>
public sealed record RawDiffEntry(
    string SrcMode,
    string DstMode,
    string SrcOid,
    string DstOid,
    string Status,
    byte[] SrcPath,
    byte[]? DstPath);
