namespace Lode.Git.Refs;

/// <summary>
/// git's reference name rules (git-check-ref-format), checked in process so that validating a name never costs a
/// process spawn. Names are bytes: git allows non-UTF-8 ref names.
/// </summary>
public static class RefName
{
    /// <summary>True when <paramref name="name"/> is a valid full or partial ref name (one-level names allowed, like <c>main</c>).</summary>
    public static bool IsValid(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty || name[0] == (byte)'/' || name[^1] == (byte)'/' || name[^1] == (byte)'.')
        {
            return false;
        }

        if (name.Length == 1 && name[0] == (byte)'@')
        {
            return false;
        }

        var componentStart = 0;
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c < 0x20 || c == 0x7f || c is (byte)' ' or (byte)'~' or (byte)'^' or (byte)':' or (byte)'?' or (byte)'*' or (byte)'[' or (byte)'\\')
            {
                return false;
            }

            if (c == (byte)'.' && i + 1 < name.Length && name[i + 1] == (byte)'.')
            {
                return false;
            }

            if (c == (byte)'@' && i + 1 < name.Length && name[i + 1] == (byte)'{')
            {
                return false;
            }

            if (c == (byte)'/')
            {
                if (!IsValidComponent(name[componentStart..i]))
                {
                    return false;
                }

                componentStart = i + 1;
            }
        }

        return IsValidComponent(name[componentStart..]);
    }

    public static bool IsValid(string name) => IsValid(System.Text.Encoding.UTF8.GetBytes(name));

    private static bool IsValidComponent(ReadOnlySpan<byte> component)
    {
        if (component.IsEmpty || component[0] == (byte)'.')
        {
            return false;
        }

        return !component.EndsWith(".lock"u8);
    }
}
