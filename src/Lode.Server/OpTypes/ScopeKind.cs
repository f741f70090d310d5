namespace Lode.Server.OpTypes;

/// <summary>What an RPC addresses (Gitaly's OperationMsg.Scope).</summary>
public enum ScopeKind
{
    Repository = 0,
    Storage = 2,
    Partition = 3,
}
