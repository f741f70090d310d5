namespace Lode.Server.Hooks;

/// <summary>
/// Where git finds Lode's hooks (<c>core.hooksPath</c>) and how hooks call back: a folder in the runtime directory
/// holding one entry per hook name that starts the hooks executable, the internal socket, and its token.
/// </summary>
public sealed record HooksDirectory(string Path, string RuntimeDir, string InternalSocket, string InternalSocketToken);
