namespace Lode.Git.CatFile;

/// <summary>The two <c>--batch-command</c> queries; they differ in whether content follows the header.</summary>
internal enum CatFileRequestKind : byte
{
    Info,
    Contents,
}
