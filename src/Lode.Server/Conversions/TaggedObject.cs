namespace Lode.Server.Conversions;

/// <summary>What an annotated tag's headers say it points at.</summary>
/// <param name="Oid">The <c>object</c> header.</param>
/// <param name="Type">The <c>type</c> header (<c>commit</c>, <c>tag</c>, <c>tree</c>, <c>blob</c>).</param>
public sealed record TaggedObject(string Oid, string Type);
