namespace Lode.Core.Configuration;

/// <summary>
/// One problem in a config file: the key path (e.g. <c>["storage", "path"]</c>) and what is wrong. Printed by
/// <c>lode configuration validate</c> as Gitaly's <c>{"key":[…],"message":"…"}</c>.
/// </summary>
public sealed record ConfigError(IReadOnlyList<string> Key, string Message)
{
    public string KeyText => string.Join('.', Key);

    /// <summary>How <c>lode serve</c> reports it: the key first, so the operator knows where to look.</summary>
    public override string ToString() => Key.Count == 0 ? Message : KeyText + ": " + Message;
}
