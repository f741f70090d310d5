namespace Lode.Git.Objects;

/// <summary>
/// A commit object split into its parts. Every field is raw bytes or hex as stored; an absent header leaves its
/// field empty (or null for signatures), as Gitaly's lenient parser does.
/// </summary>
public sealed class ParsedCommit
{
    public string TreeId { get; init; } = "";

    public IReadOnlyList<string> ParentIds { get; init; } = [];

    public Signature? Author { get; init; }

    public Signature? Committer { get; init; }

    /// <summary>The <c>encoding</c> header (e.g. <c>ISO-8859-1</c>); empty when absent, which means UTF-8.</summary>
    public byte[] Encoding { get; init; } = [];

    /// <summary>
    /// The signature from <c>gpgsig</c> or <c>gpgsig-sha256</c>, exactly as the signer produced it (continuation
    /// lines unfolded, ending with LF); empty when unsigned.
    /// </summary>
    public byte[] SignatureData { get; init; } = [];

    public SignatureType SignatureType { get; init; }

    /// <summary>Headers without a field of their own, in object order (mergetag, a second signature, …).</summary>
    public IReadOnlyList<ObjectHeader> ExtraHeaders { get; init; } = [];

    /// <summary>Everything after the first blank line: subject, body and trailers.</summary>
    public byte[] Body { get; init; } = [];

    /// <summary>The first line of <see cref="Body"/> without its line ending (Gitaly's subject, not git's %s).</summary>
    public byte[] Subject { get; init; } = [];
}
