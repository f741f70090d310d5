namespace Lode.Git.Commands;

/// <summary>
/// The allowlist of git subcommands Lode runs, each with its traits: whether it takes <c>--end-of-options</c>,
/// whether it updates references (and so must run with hooks), and the <c>-c</c> config it always gets
/// (spec §5.3). Nothing else can be started.
/// </summary>
public sealed record GitSubcommand(
    string Name,
    bool AcceptsEndOfOptions = true,
    bool UpdatesRefs = false,
    IReadOnlyList<KeyValuePair<string, string>>? Config = null)
{
    private static readonly KeyValuePair<string, string>[] PackConfig =
    [
        new("pack.windowMemory", "100m"),
        new("pack.writeReverseIndex", "true"),
        new("pack.threads", PackThreads()),
    ];

    private static readonly KeyValuePair<string, string>[] HiddenRefs =
    [
        new("uploadpack.hideRefs", "refs/keep-around/"),
        new("uploadpack.hideRefs", "refs/remotes/"),
        new("uploadpack.hideRefs", "refs/tmp/"),
    ];

    public static readonly GitSubcommand Version = new("version", AcceptsEndOfOptions: false);
    public static readonly GitSubcommand Init = new("init", AcceptsEndOfOptions: false,
        Config: [new("init.defaultBranch", "main"), new("init.templateDir", "")]);
    public static readonly GitSubcommand CatFile = new("cat-file");
    public static readonly GitSubcommand ForEachRef = new("for-each-ref");
    // git 2.39 rev-parse echoes --end-of-options instead of consuming it; revisions are validated instead.
    public static readonly GitSubcommand RevParse = new("rev-parse", AcceptsEndOfOptions: false);
    public static readonly GitSubcommand RevList = new("rev-list");
    public static readonly GitSubcommand Log = new("log");
    public static readonly GitSubcommand LsTree = new("ls-tree");
    public static readonly GitSubcommand ShowRef = new("show-ref");
    public static readonly GitSubcommand SymbolicRef = new("symbolic-ref", UpdatesRefs: true);
    public static readonly GitSubcommand UpdateRef = new("update-ref", UpdatesRefs: true);
    public static readonly GitSubcommand PackRefs = new("pack-refs", UpdatesRefs: true);
    public static readonly GitSubcommand ConfigCommand = new("config", AcceptsEndOfOptions: false);
    public static readonly GitSubcommand CountObjects = new("count-objects");
    public static readonly GitSubcommand MergeBase = new("merge-base");
    public static readonly GitSubcommand Fsck = new("fsck");
    public static readonly GitSubcommand Archive = new("archive");
    // git blame refuses --end-of-options before git 2.41 (usage error, exit 129).
    public static readonly GitSubcommand Blame = new("blame", AcceptsEndOfOptions: false);
    public static readonly GitSubcommand Diff = new("diff");
    public static readonly GitSubcommand DiffTree = new("diff-tree");
    public static readonly GitSubcommand Grep = new("grep");
    public static readonly GitSubcommand LsFiles = new("ls-files");
    public static readonly GitSubcommand Bundle = new("bundle", AcceptsEndOfOptions: false);
    public static readonly GitSubcommand FastExport = new("fast-export", AcceptsEndOfOptions: false);
    public static readonly GitSubcommand CheckAttr = new("check-attr", AcceptsEndOfOptions: false);
    public static readonly GitSubcommand HashObject = new("hash-object");
    public static readonly GitSubcommand MkTree = new("mktree", AcceptsEndOfOptions: false);
    public static readonly GitSubcommand PackObjects = new("pack-objects", AcceptsEndOfOptions: false, Config: PackConfig);
    public static readonly GitSubcommand Repack = new("repack", AcceptsEndOfOptions: false,
        Config: [new("repack.writeBitmaps", "true"), new("repack.updateServerInfo", "false"), .. PackConfig]);
    public static readonly GitSubcommand Prune = new("prune");
    public static readonly GitSubcommand CommitGraph = new("commit-graph", AcceptsEndOfOptions: false);
    public static readonly GitSubcommand MultiPackIndex = new("multi-pack-index", AcceptsEndOfOptions: false);
    public static readonly GitSubcommand UploadPack = new("upload-pack", AcceptsEndOfOptions: false,
        Config: [new("uploadpack.allowFilter", "true"), new("uploadpack.allowAnySHA1InWant", "true"), .. HiddenRefs, .. PackConfig]);
    public static readonly GitSubcommand UploadArchive = new("upload-archive", AcceptsEndOfOptions: false);
    public static readonly GitSubcommand ReceivePack = new("receive-pack", AcceptsEndOfOptions: false, UpdatesRefs: true,
        Config:
        [
            new("core.alternateRefsCommand", "exit 0 #"),
            new("receive.advertisePushOptions", "true"),

            // Repositories are maintained by housekeeping, and gc.auto=0 makes `gc --auto` a no-op: receive-pack need not
            // start it after every push.
            new("receive.autogc", "false"),
            new("receive.hideRefs", "refs/keep-around/"),
            new("receive.hideRefs", "refs/remotes/"),
            new("receive.hideRefs", "refs/tmp/"),
            new("receive.hideRefs", "refs/environments/"),
            new("receive.hideRefs", "refs/merge-requests/"),
            new("receive.hideRefs", "refs/pipelines/"),
            new("transfer.fsckObjects", "true"),
            new("receive.fsck.badTimezone", "ignore"),
            new("receive.fsck.missingSpaceBeforeDate", "ignore"),
            new("receive.fsck.zeroPaddedFilemode", "ignore"),
            .. PackConfig,
        ]);
    public static readonly GitSubcommand Fetch = new("fetch", UpdatesRefs: true,
        Config:
        [
            new("core.alternateRefsCommand", "exit 0 #"),
            new("fetch.writeCommitGraph", "false"),
            new("fetch.recurseSubmodules", "no"),
            new("http.followRedirects", "false"),
        ]);
    public static readonly GitSubcommand CloneCommand = new("clone", AcceptsEndOfOptions: false, Config: [new("http.followRedirects", "false")]);
    public static readonly GitSubcommand LsRemote = new("ls-remote", Config: [new("http.followRedirects", "false")]);
    public static readonly GitSubcommand Push = new("push", Config: [new("http.followRedirects", "false")]);
    public static readonly GitSubcommand Remote = new("remote", AcceptsEndOfOptions: false, Config: [new("http.followRedirects", "false")]);
    public static readonly GitSubcommand Worktree = new("worktree", AcceptsEndOfOptions: false);
    public static readonly GitSubcommand MergeTree = new("merge-tree");
    public static readonly GitSubcommand CommitTree = new("commit-tree");
    public static readonly GitSubcommand Mktag = new("mktag", AcceptsEndOfOptions: false);
    public static readonly GitSubcommand FormatPatch = new("format-patch");
    public static readonly GitSubcommand RangeDiff = new("range-diff");
    public static readonly GitSubcommand PatchId = new("patch-id", AcceptsEndOfOptions: false);
    public static readonly GitSubcommand Apply = new("apply");
    public static readonly GitSubcommand Am = new("am");
    public static readonly GitSubcommand ReadTree = new("read-tree");
    public static readonly GitSubcommand UpdateIndex = new("update-index");
    public static readonly GitSubcommand WriteTree = new("write-tree");
    public static readonly GitSubcommand Show = new("show");
    public static readonly GitSubcommand CheckRefFormat = new("check-ref-format", AcceptsEndOfOptions: false);
    public static readonly GitSubcommand VerifyPack = new("verify-pack", AcceptsEndOfOptions: false);
    public static readonly GitSubcommand IndexPack = new("index-pack", AcceptsEndOfOptions: false);
    public static readonly GitSubcommand UnpackObjects = new("unpack-objects", AcceptsEndOfOptions: false);
    public static readonly GitSubcommand Replay = new("replay");
    public static readonly GitSubcommand Shortlog = new("shortlog");
    public static readonly GitSubcommand NameRev = new("name-rev");
    public static readonly GitSubcommand Tag = new("tag", UpdatesRefs: true);

    /// <summary>As Gitaly: max(1, floor(log2(cpu count))), so that packing never takes every core.</summary>
    private static string PackThreads() =>
        Math.Max(1, (int)Math.Floor(Math.Log2(Environment.ProcessorCount))).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
