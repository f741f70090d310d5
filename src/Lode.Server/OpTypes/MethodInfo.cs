using Google.Protobuf.Reflection;

namespace Lode.Server.OpTypes;

/// <summary>
/// What the interface declares about one RPC: its operation type and scope (from the <c>op_type</c> option) and
/// where its repository is in the request (the field marked <c>target_repository</c>), so that no list of
/// methods is kept by hand.
/// </summary>
public sealed record MethodInfo(
    string FullName,
    string Service,
    string Method,
    string GrpcType,
    OperationKind Operation,
    ScopeKind Scope,
    FieldDescriptor? TargetRepositoryField);
