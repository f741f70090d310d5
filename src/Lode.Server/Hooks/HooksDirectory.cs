namespace Lode.Server.Hooks;

/// <summary>
/// Where git finds Lode's hooks (<c>core.hooksPath</c>) and how hooks call back: a folder in the runtime directory
/// holding one entry per hook name that starts the hooks executable, the internal socket, and its token; and the shell
/// command git runs as <c>uploadpack.packObjectsHook</c> (null when that hook is off).
/// </summary>
public sealed record HooksDirectory(string Path, string RuntimeDir, string InternalSocket, string InternalSocketToken,
    string? PackObjectsHookCommand = null);
