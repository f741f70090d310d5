using System.Collections.Frozen;
using Gitaly;
using Google.Protobuf.Reflection;

namespace Lode.Server.OpTypes;

/// <summary>
/// Every RPC of the interface with its declared operation type and scope, read from the generated descriptors
/// at startup (style guide §2.3). Interceptors and, later, the cluster router look methods up here.
/// </summary>
public sealed class MethodTable
{
    private readonly FrozenDictionary<string, MethodInfo> methods;

    public MethodTable()
    {
        var result = new Dictionary<string, MethodInfo>(StringComparer.Ordinal);
        foreach (var file in Files())
        {
            foreach (var service in file.Services)
            {
                foreach (var method in service.Methods)
                {
                    var info = Describe(service, method);
                    result[info.FullName] = info;
                }
            }
        }

        methods = result.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public int Count => methods.Count;

    public IEnumerable<MethodInfo> All => methods.Values;

    /// <summary>Looks up "/gitaly.RefService/FindBranch"; null for methods outside the Gitaly interface (health, reflection).</summary>
    public MethodInfo? Find(string fullMethod) => methods.GetValueOrDefault(fullMethod);

    private static MethodInfo Describe(ServiceDescriptor service, MethodDescriptor method)
    {
        var options = method.GetOptions();
        var op = options?.GetExtension(LintExtensions.OpType);
        var grpcType = (method.IsClientStreaming, method.IsServerStreaming) switch
        {
            (false, false) => "unary",
            (true, false) => "client_stream",
            (false, true) => "server_stream",
            (true, true) => "bidi_stream",
        };

        return new MethodInfo(
            "/" + service.FullName + "/" + method.Name,
            service.FullName,
            method.Name,
            grpcType,
            op is null ? OperationKind.Unknown : (OperationKind)(int)op.Op,
            op is null ? ScopeKind.Repository : (ScopeKind)(int)op.ScopeLevel,
            FindTargetRepository(method.InputType));
    }

    private static FieldDescriptor? FindTargetRepository(MessageDescriptor message)
    {
        foreach (var field in message.Fields.InFieldNumberOrder())
        {
            if (field.GetOptions()?.GetExtension(LintExtensions.TargetRepository) == true &&
                field.FieldType == FieldType.Message && field.MessageType.FullName == "gitaly.Repository")
            {
                return field;
            }
        }

        return null;
    }

    /// <summary>Every generated file that declares services.</summary>
    internal static IEnumerable<FileDescriptor> Files() =>
    [
        AnalysisReflection.Descriptor, BlobReflection.Descriptor, CleanupReflection.Descriptor, CommitReflection.Descriptor,
        ConflictsReflection.Descriptor, DiffReflection.Descriptor, HookReflection.Descriptor, InternalReflection.Descriptor,
        ObjectpoolReflection.Descriptor, OperationsReflection.Descriptor, PartitionReflection.Descriptor,
        PraefectReflection.Descriptor, RefReflection.Descriptor, RemoteReflection.Descriptor,
        RepositoryReflection.Descriptor, ServerReflection.Descriptor, SmarthttpReflection.Descriptor,
        SshReflection.Descriptor, TransactionReflection.Descriptor, ClusterReflection.Descriptor,
    ];
}
