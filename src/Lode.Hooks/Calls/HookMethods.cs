namespace Lode.Hooks.Calls;

/// <summary>The HookService methods a hook calls, as HTTP/2 paths (<c>/package.Service/Method</c>).</summary>
internal static class HookMethods
{
    public const string PreReceiveHook = "/gitaly.HookService/PreReceiveHook";
    public const string PostReceiveHook = "/gitaly.HookService/PostReceiveHook";
    public const string UpdateHook = "/gitaly.HookService/UpdateHook";
    public const string ReferenceTransactionHook = "/gitaly.HookService/ReferenceTransactionHook";
    public const string PackObjectsHookWithSidechannel = "/gitaly.HookService/PackObjectsHookWithSidechannel";
}
