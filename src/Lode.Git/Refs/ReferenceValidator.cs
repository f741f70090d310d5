using System.Runtime.CompilerServices;

namespace Lode.Git.Refs;

/// <summary>
/// Gitaly's <c>git.ValidateReference</c>: a fully qualified reference name that git's
/// <c>check_refname_format()</c> accepts, with Gitaly's messages (clients see them after
/// "validating reference: "). Unlike <see cref="RefName"/> it requires the <c>refs/</c> prefix and refuses HEAD.
/// </summary>
public static class ReferenceValidator
{
    /// <summary>Gitaly's message for what is wrong with <paramref name="name"/>; null when it is valid.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static string? Check(ReadOnlySpan<byte> name)
    {
        if (name.SequenceEqual("HEAD"u8))
        {
            return "HEAD reference not allowed";
        }

        if (!name.StartsWith("refs/"u8))
        {
            return "reference is not fully qualified";
        }

        name = name["refs/".Length..];
        if (name.IsEmpty)
        {
            return "refs/ is not a valid reference";
        }

        if (name[^1] == '/')
        {
            return "reference must not end with slash";
        }

        if (name[^1] == '.')
        {
            return "reference must not end with dot";
        }

        if (name.IndexOf("@{"u8) >= 0)
        {
            return "reference must not contain @{";
        }

        if (name.IndexOf(".."u8) >= 0)
        {
            return "reference must not contain double dots";
        }

        // Go ranges over runes; every byte below 0x80 is its own rune, and no multi-byte rune (nor the U+FFFD of an
        // invalid byte) is in the checked sets, so checking bytes is the same.
        foreach (var c in name)
        {
            switch (c)
            {
                case (byte)' ' or (byte)'\t' or (byte)'\n':
                    return "reference must not contain space characters";
                case (byte)':' or (byte)'?' or (byte)'[' or (byte)'\\' or (byte)'^' or (byte)'~' or (byte)'*' or 0x7f:
                    return "reference must not contain special characters";
            }

            if (c < 32)
            {
                return "reference must not contain control characters";
            }
        }

        while (true)
        {
            var slash = name.IndexOf((byte)'/');
            var component = slash < 0 ? name : name[..slash];
            var tail = slash < 0 ? ReadOnlySpan<byte>.Empty : name[(slash + 1)..];
            if (component.IsEmpty)
            {
                return tail.IsEmpty ? null : "empty component is not allowed";
            }

            if (component[0] == '.')
            {
                return "component must not start with dot";
            }

            if (component.EndsWith(".lock"u8))
            {
                return "component must not end with .lock";
            }

            name = tail;
        }
    }
}
