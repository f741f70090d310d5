namespace Lode.Git.Objects;

/// <summary>An annotated tag object split into its parts; absent headers leave their field empty.</summary>
public sealed class ParsedTag
{
    /// <summary>The tagged object's id (the <c>object</c> header).</summary>
    public string ObjectId { get; init; } = "";

    /// <summary>The tagged object's type (<c>commit</c>, <c>tree</c>, <c>blob</c> or <c>tag</c>).</summary>
    public string ObjectType { get; init; } = "";

    /// <summary>The tag's name as stored in the object (may differ from the ref name).</summary>
    public byte[] Name { get; init; } = [];

    /// <summary>Null for old tags without a <c>tagger</c> header.</summary>
    public Signature? Tagger { get; init; }

    /// <summary>Headers without a field of their own (e.g. <c>gpgsig-sha256</c> in a repository with compat hashes).</summary>
    public IReadOnlyList<ObjectHeader> ExtraHeaders { get; init; } = [];

    /// <summary>Everything after the first blank line: the message with the signature, if any.</summary>
    public byte[] Body { get; init; } = [];

    /// <summary>
    /// <see cref="Body"/> without the trailing signature, untrimmed (Gitaly additionally strips one final LF for
    /// the RPC's message).
    /// </summary>
    public byte[] Message { get; init; } = [];

    /// <summary>The armored signature appended to the message; empty when unsigned.</summary>
    public byte[] SignatureData { get; init; } = [];

    public SignatureType SignatureType { get; init; }
}
