using Lode.Hooks;

// lode-hooks: git runs it through links named after the hook (pre-receive, update, post-receive,
// reference-transaction), so argv[0] says which hook this is; `lode-hooks <hook> ...` works too.
var invokedAs = Path.GetFileName(Environment.GetCommandLineArgs()[0]);
if (invokedAs is "lode-hooks" or "lode-hooks.dll")
{
    if (args.Length < 1)
    {
        Console.Error.WriteLine("lode-hooks: requires hook name");
        return 1;
    }

    return HookRunner.Run(args[0], args[1..]);
}

return HookRunner.Run(invokedAs, args);
