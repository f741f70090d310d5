using Lode.Core.Errors;

namespace Lode.Git.CatFile;

/// <summary>
/// The revision names an object of another type than the caller needs. NotFound, as Gitaly answers when e.g. a
/// commit id turns out to be a blob.
/// </summary>
public sealed class ObjectTypeMismatchException : LodeException
{
    public ObjectTypeMismatchException(string oid, string expectedType, string actualType)
        : base(ErrorCode.NotFound, "object type mismatch")
    {
        Oid = oid;
        ExpectedType = expectedType;
        ActualType = actualType;
        With("oid", oid);
        With("expected_type", expectedType);
        With("actual_type", actualType);
    }

    public string Oid { get; }

    public string ExpectedType { get; }

    public string ActualType { get; }
}
