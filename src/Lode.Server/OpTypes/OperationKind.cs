namespace Lode.Server.OpTypes;

/// <summary>How an RPC treats its repository (Gitaly's OperationMsg.Operation); the cluster routes on it.</summary>
public enum OperationKind
{
    Unknown = 0,
    Mutator = 1,
    Accessor = 2,
    Maintenance = 3,
}
