using System.Formats.Tar;
using System.Text;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Repository;

#pragma warning disable CS0612, CS0618 // BackupCustomHooks and RestoreCustomHooks are deprecated but still served.

public sealed class CustomHooksTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static readonly UnixFileMode Executable = (UnixFileMode)0x1ED;

    [Fact]
    public async Task SetCustomHooks_Archive_ExtractedWithModesAndGetReturnsIt()
    {
        var repo = await server.CreateRepoAsync();
        var archive = Tar(
            Dir("custom_hooks/"),
            File("custom_hooks/pre-receive", "#!/bin/sh\nexit 0\n", Executable),
            Dir("custom_hooks/update.d/"),
            File("custom_hooks/update.d/check", "#!/bin/sh\necho check\n", Executable),
            File("custom_hooks/README", "plain", (UnixFileMode)0x1A4),
            Link("custom_hooks/post-receive", "pre-receive"));

        await SetAsync(repo, archive, chunk: 100);

        var hooks = Path.Combine(repo.Path, "custom_hooks");
        Assert.Equal("#!/bin/sh\nexit 0\n", await System.IO.File.ReadAllTextAsync(Path.Combine(hooks, "pre-receive")));
        Assert.Equal(Executable, System.IO.File.GetUnixFileMode(Path.Combine(hooks, "pre-receive")));
        Assert.Equal((UnixFileMode)0x1A4, System.IO.File.GetUnixFileMode(Path.Combine(hooks, "README")));
        Assert.Equal("#!/bin/sh\necho check\n", await System.IO.File.ReadAllTextAsync(Path.Combine(hooks, "update.d", "check")));
        Assert.Equal("pre-receive", new FileInfo(Path.Combine(hooks, "post-receive")).LinkTarget);
        Assert.False(System.IO.File.Exists(Path.Combine(repo.Path, "custom_hooks.lock")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(server.StoragePath, "+gitaly", "tmp")));

        var entries = await ReadEntriesAsync(await GetAsync(repo));
        Assert.Equal(
        [
            ("custom_hooks/", TarEntryType.Directory, ""),
            ("custom_hooks/README", TarEntryType.RegularFile, "plain"),
            ("custom_hooks/post-receive", TarEntryType.SymbolicLink, "pre-receive"),
            ("custom_hooks/pre-receive", TarEntryType.RegularFile, "#!/bin/sh\nexit 0\n"),
            ("custom_hooks/update.d/", TarEntryType.Directory, ""),
            ("custom_hooks/update.d/check", TarEntryType.RegularFile, "#!/bin/sh\necho check\n"),
        ], entries.Select(e => (e.Name, e.Type, e.Content)));
        Assert.Equal(Executable, entries.Single(e => e.Name == "custom_hooks/pre-receive").Mode);
    }

    [Fact]
    public async Task GetCustomHooks_ArchiveFromTar_MatchesTarListing()
    {
        var repo = await server.CreateRepoAsync();
        var hooks = Path.Combine(repo.Path, "custom_hooks");
        Directory.CreateDirectory(Path.Combine(hooks, "pre-receive.d"));
        await System.IO.File.WriteAllTextAsync(Path.Combine(hooks, "pre-receive.d", "one"), "1");
        await System.IO.File.WriteAllTextAsync(Path.Combine(hooks, "update"), new string('x', 300_000));

        var archive = await GetAsync(repo);

        // tar(1) is the ground truth: it reads our archive and lists what Gitaly's tar would have written.
        var listed = await RunTarAsync(archive, "-t");
        Assert.Equal(["custom_hooks/", "custom_hooks/pre-receive.d/", "custom_hooks/pre-receive.d/one", "custom_hooks/update"],
            listed.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        var entries = await ReadEntriesAsync(archive);
        Assert.Equal(300_000, entries.Single(e => e.Name == "custom_hooks/update").Content.Length);
    }

    [Fact]
    public async Task GetCustomHooks_NoHooks_NoMessages()
    {
        var repo = await server.CreateRepoAsync();

        using var call = server.Repository.GetCustomHooks(new GetCustomHooksRequest { Repository = ServerFixture.Proto(repo) });

        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
    }

    [Fact]
    public async Task GetCustomHooks_HooksFolderIsSymlink_SingleLinkEntry()
    {
        var repo = await server.CreateRepoAsync();
        System.IO.File.CreateSymbolicLink(Path.Combine(repo.Path, "custom_hooks"), "/var/empty");

        var entries = await ReadEntriesAsync(await GetAsync(repo));

        Assert.Equal([("custom_hooks", TarEntryType.SymbolicLink, "/var/empty")], entries.Select(e => (e.Name, e.Type, e.Content)));
    }

    [Fact]
    public async Task SetCustomHooks_TarMadeByTar_RoundTrips()
    {
        var source = server.Root.Combine("tar-source-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(source, "custom_hooks", "post-receive.d"));
        await System.IO.File.WriteAllTextAsync(Path.Combine(source, "custom_hooks", "post-receive.d", "notify"), "#!/bin/sh\n");
        await System.IO.File.WriteAllTextAsync(Path.Combine(source, "ignored-outside"), "x");
        var archive = await RunTarAsync(null, "-c", "-f", "-", "-C", source, "custom_hooks", "ignored-outside");
        var repo = await server.CreateRepoAsync();

        await SetAsync(repo, Encoding.Latin1.GetBytes(archive), chunk: 4096);

        Assert.Equal("#!/bin/sh\n", await System.IO.File.ReadAllTextAsync(Path.Combine(repo.Path, "custom_hooks", "post-receive.d", "notify")));
        Assert.False(System.IO.File.Exists(Path.Combine(repo.Path, "ignored-outside")));
    }

    [Fact]
    public async Task SetCustomHooks_ReplacesExistingHooks()
    {
        var repo = await server.CreateRepoAsync();
        await SetAsync(repo, Tar(Dir("custom_hooks/"), File("custom_hooks/old", "old", Executable)));

        await SetAsync(repo, Tar(Dir("custom_hooks/"), File("custom_hooks/new", "new", Executable)));

        Assert.Equal(["new"], Directory.GetFileSystemEntries(Path.Combine(repo.Path, "custom_hooks")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task SetCustomHooks_EmptyArchive_EmptyHooksFolder()
    {
        var repo = await server.CreateRepoAsync();
        await SetAsync(repo, Tar(Dir("custom_hooks/"), File("custom_hooks/old", "old", Executable)));

        await SetAsync(repo, []);

        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(repo.Path, "custom_hooks")));
    }

    [Fact]
    public async Task RestoreCustomHooks_ThenBackupCustomHooks_RoundTrip()
    {
        var repo = await server.CreateRepoAsync();
        var archive = Tar(Dir("custom_hooks/"), File("custom_hooks/pre-receive", "restored", Executable));
        using (var call = server.Repository.RestoreCustomHooks())
        {
            await call.RequestStream.WriteAsync(new RestoreCustomHooksRequest { Repository = ServerFixture.Proto(repo), Data = ByteString.CopyFrom(archive) });
            await call.RequestStream.CompleteAsync();
            await call;
        }

        using var backup = server.Repository.BackupCustomHooks(new BackupCustomHooksRequest { Repository = ServerFixture.Proto(repo) });
        var data = new MemoryStream();
        await foreach (var message in backup.ResponseStream.ReadAllAsync())
        {
            message.Data.WriteTo(data);
        }

        var entries = await ReadEntriesAsync(data.ToArray());
        Assert.Equal([("custom_hooks/", ""), ("custom_hooks/pre-receive", "restored")], entries.Select(e => (e.Name, e.Content)));
    }

    public static TheoryData<string, byte[]> Escaping => new()
    {
        { "dot-dot", Tar(Dir("custom_hooks/"), File("custom_hooks/../../evil", "x", Executable)) },
        { "link-outside", Tar(Dir("custom_hooks/"), Link("custom_hooks/out", "../../config")) },
        { "absolute-link", Tar(Dir("custom_hooks/"), Link("custom_hooks/passwd", "/etc/passwd")) },
        { "below-link", Tar(Dir("custom_hooks/"), Link("custom_hooks/sub", "."), File("custom_hooks/sub/x", "x", Executable)) },
        { "root-is-link", Tar(Link("custom_hooks", "/etc")) },
        { "hard-link", Tar(Dir("custom_hooks/"), new GnuTarEntry(TarEntryType.HardLink, "custom_hooks/h") { LinkName = "custom_hooks/x" }) },
        { "device", Tar(Dir("custom_hooks/"), new GnuTarEntry(TarEntryType.CharacterDevice, "custom_hooks/null")) },
    };

    [Theory]
    [MemberData(nameof(Escaping))]
    public async Task SetCustomHooks_EntryLeavingHooksFolder_InvalidArgumentAndNothingChanged(string name, byte[] archive)
    {
        var repo = await server.CreateRepoAsync();
        await SetAsync(repo, Tar(Dir("custom_hooks/"), File("custom_hooks/kept", name, Executable)));

        var e = await Assert.ThrowsAsync<RpcException>(() => SetAsync(repo, archive));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.StartsWith("setting custom hooks: invalid custom hooks archive: ", e.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(name, await System.IO.File.ReadAllTextAsync(Path.Combine(repo.Path, "custom_hooks", "kept")));
        Assert.False(System.IO.File.Exists(Path.Combine(repo.Path, "evil")));
        Assert.False(System.IO.File.Exists(Path.Combine(repo.Path, "custom_hooks.lock")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(server.StoragePath, "+gitaly", "tmp")));
    }

    [Fact]
    public async Task SetCustomHooks_NotATar_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => SetAsync(repo, Encoding.ASCII.GetBytes(new string('z', 1024))));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    [Fact]
    public async Task SetCustomHooks_Locked_FailedPrecondition()
    {
        var repo = await server.CreateRepoAsync();
        await System.IO.File.WriteAllTextAsync(Path.Combine(repo.Path, "custom_hooks.lock"), "");

        var e = await Assert.ThrowsAsync<RpcException>(() => SetAsync(repo, Tar(Dir("custom_hooks/"))));

        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
    }

    [Fact]
    public async Task CustomHooksRpcs_RepositoryErrors_ResolverCodes()
    {
        var missing = new Gitaly.Repository { StorageName = ServerFixture.StorageName, RelativePath = "@hashed/none/" + Guid.NewGuid().ToString("N") + ".git" };

        var get = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = server.Repository.GetCustomHooks(new GetCustomHooksRequest { Repository = missing });
            await call.ResponseStream.MoveNext(CancellationToken.None);
        });
        var set = await Assert.ThrowsAsync<RpcException>(() => SetAsync(missing, []));
        var unset = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = server.Repository.GetCustomHooks(new GetCustomHooksRequest());
            await call.ResponseStream.MoveNext(CancellationToken.None);
        });

        Assert.Equal(StatusCode.NotFound, get.StatusCode);
        Assert.Equal(StatusCode.NotFound, set.StatusCode);
        Assert.Equal((StatusCode.InvalidArgument, "repository not set"), (unset.StatusCode, unset.Status.Detail));
    }

    private Task SetAsync(TestRepo repo, byte[] archive, int chunk = 64 * 1024) => SetAsync(ServerFixture.Proto(repo), archive, chunk);

    private async Task SetAsync(Gitaly.Repository repo, byte[] archive, int chunk = 64 * 1024)
    {
        using var call = server.Repository.SetCustomHooks();
        var first = new SetCustomHooksRequest { Repository = repo };
        if (archive.Length > 0)
        {
            first.Data = ByteString.CopyFrom(archive, 0, Math.Min(chunk, archive.Length));
        }

        await call.RequestStream.WriteAsync(first);
        for (var offset = chunk; offset < archive.Length; offset += chunk)
        {
            await call.RequestStream.WriteAsync(new SetCustomHooksRequest { Data = ByteString.CopyFrom(archive, offset, Math.Min(chunk, archive.Length - offset)) });
        }

        await call.RequestStream.CompleteAsync();
        await call;
    }

    private async Task<byte[]> GetAsync(TestRepo repo)
    {
        using var call = server.Repository.GetCustomHooks(new GetCustomHooksRequest { Repository = ServerFixture.Proto(repo) });
        var data = new MemoryStream();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            Assert.InRange(message.Data.Length, 1, 128 * 1024);
            message.Data.WriteTo(data);
        }

        return data.ToArray();
    }

    private static async Task<List<(string Name, TarEntryType Type, string Content, UnixFileMode Mode)>> ReadEntriesAsync(byte[] archive)
    {
        var entries = new List<(string, TarEntryType, string, UnixFileMode)>();
        await using var reader = new TarReader(new MemoryStream(archive));
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            var content = entry.EntryType == TarEntryType.SymbolicLink ? entry.LinkName
                : entry.DataStream is null ? "" : await new StreamReader(entry.DataStream).ReadToEndAsync();
            entries.Add((entry.Name, entry.EntryType, content, entry.Mode));
        }

        return entries;
    }

    private static byte[] Tar(params TarEntry[] entries)
    {
        var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Gnu, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                writer.WriteEntry(entry);
            }
        }

        return output.ToArray();
    }

    private static GnuTarEntry Dir(string name) => new(TarEntryType.Directory, name) { Mode = (UnixFileMode)0x1ED };

    private static GnuTarEntry File(string name, string content, UnixFileMode mode) =>
        new(TarEntryType.RegularFile, name) { Mode = mode, DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) };

    private static GnuTarEntry Link(string name, string target) => new(TarEntryType.SymbolicLink, name) { LinkName = target, Mode = (UnixFileMode)0x1FF };

    /// <summary>Runs tar(1), feeding <paramref name="stdin"/>; returns stdout as Latin-1 text (binary-safe).</summary>
    private static async Task<string> RunTarAsync(byte[]? stdin, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("tar")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        if (stdin is not null && args.Length == 1)
        {
            psi.ArgumentList.Add("-f");
            psi.ArgumentList.Add("-");
        }

        using var process = System.Diagnostics.Process.Start(psi)!;
        var output = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(output);
        if (stdin is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        await copy;
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
        return Encoding.Latin1.GetString(output.ToArray());
    }
}
