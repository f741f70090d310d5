namespace Lode.Git.Objects;

/// <summary>
/// git's object type names as shared string instances, so parsing a type from bytes allocates nothing for the
/// four real types.
/// </summary>
public static class ObjectTypes
{
    public const string Commit = "commit";
    public const string Tree = "tree";
    public const string Blob = "blob";
    public const string Tag = "tag";

    /// <summary>The type named by <paramref name="name"/>; an unknown name is returned as a new string.</summary>
    public static string ToName(ReadOnlySpan<byte> name)
    {
        if (name.SequenceEqual("commit"u8))
        {
            return Commit;
        }

        if (name.SequenceEqual("blob"u8))
        {
            return Blob;
        }

        if (name.SequenceEqual("tree"u8))
        {
            return Tree;
        }

        return name.SequenceEqual("tag"u8) ? Tag : System.Text.Encoding.Latin1.GetString(name);
    }
}
