namespace Lode.Server.Hooks;

/// <summary>
/// What git passed to the pack-objects hook (spec §7.5): <c>[--shallow-file ""] pack-objects --stdout [flags]</c>, as
/// upload-pack starts it. Only flags are accepted, and the pack must go to stdout: the hook may choose how
/// pack-objects runs, never which files it touches.
/// </summary>
public sealed record PackObjectsArguments(bool WithoutShallowFile, IReadOnlyList<string> Flags)
{
    /// <summary>The arguments, or null and why not.</summary>
    public static PackObjectsArguments? Parse(IReadOnlyList<string> args, out string? problem)
    {
        var rest = args.AsEnumerable();
        var withoutShallowFile = false;
        if (args.Count >= 2 && args[0] == "--shallow-file" && args[1].Length == 0)
        {
            withoutShallowFile = true;
            rest = rest.Skip(2);
        }

        var list = rest.ToList();
        if (list.Count == 0 || list[0] != "pack-objects")
        {
            problem = "missing pack-objects";
            return null;
        }

        var flags = new List<string>();
        var toStdout = false;
        foreach (var arg in list.Skip(1))
        {
            if (!arg.StartsWith('-'))
            {
                problem = "non-flag argument";
                return null;
            }

            if (arg == "--stdout")
            {
                toStdout = true;
            }
            else
            {
                flags.Add(arg);
            }
        }

        if (!toStdout)
        {
            problem = "missing --stdout";
            return null;
        }

        problem = null;
        return new PackObjectsArguments(withoutShallowFile, flags);
    }
}
