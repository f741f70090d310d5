using Lode.Hooks;

// lode-hooks: git runs it through links named after the hook (pre-receive, update, post-receive,
// reference-transaction), so argv[0] says which hook this is; `lode-hooks <hook> ...` works too.
var invokedAs = Path.GetFileName(Environment.GetCommandLineArgs()[0]);
if (invokedAs is "lode-hooks" or "lode-hooks.dll")
{
    if (args.Length < 1)
    {
        await Console.Error.WriteLineAsync("lode-hooks: requires hook name");
        return 1;
    }

    return await HookRunner.RunAsync(args[0], args[1..]);
}

return await HookRunner.RunAsync(invokedAs, args);
