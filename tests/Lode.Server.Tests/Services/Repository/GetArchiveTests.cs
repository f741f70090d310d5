using System.Diagnostics;
using System.Text;
using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;
using static Gitaly.GetArchiveRequest.Types;

namespace Lode.Server.Tests.Services.Repository;

public sealed class GetArchiveTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const int ChunkSize = 32 * 1024;
    private static readonly byte[] NonUtf8Dir = [(byte)'d', 0xff, (byte)'r'];

    public static TheoryData<string, Format> FormatsAndObjectFormats()
    {
        var data = new TheoryData<string, Format>();
        foreach (var objectFormat in new[] { "sha1", "sha256" })
        {
            foreach (var format in new[] { Format.Zip, Format.Tar, Format.TarGz, Format.TarBz2 })
            {
                data.Add(objectFormat, format);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FormatsAndObjectFormats))]
    public async Task GetArchive_EveryFormat_ByteForByteAsGitArchivePipeline(string objectFormat, Format format)
    {
        var repo = await server.CreateRepoAsync(objectFormat);
        var commit = await CommitSampleTreeAsync(repo);

        var archive = await CallAsync(repo, commit, format, prefix: "project-main");

        Assert.Equal(await GitArchiveAsync(repo, format, "--prefix=project-main/", commit), archive);
        var listing = await ListAsync(format, archive);
        Assert.Contains("project-main/README.md", listing);
        Assert.Contains("project-main/dir/nested.txt", listing);
    }

    [Fact]
    public async Task GetArchive_SymlinksSubmodulesNonUtf8Names_KeptAsGitArchives()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await CommitSampleTreeAsync(repo);

        var archive = await CallAsync(repo, commit, Format.Tar, prefix: "p");

        using var extracted = await ExtractAsync(Format.Tar, archive);
        Assert.Equal("README.md", new FileInfo(Path.Combine(extracted.Path, "p", "link")).LinkTarget);
        Assert.True(Directory.Exists(Path.Combine(extracted.Path, "p", "sub")));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(extracted.Path, "p", "sub")));
        var tarNames = await TarNamesAsync(archive);
        Assert.Contains(tarNames, n => n.SequenceEqual(Encoding.UTF8.GetBytes("p/").Concat(NonUtf8Dir).Concat("/inner.txt"u8.ToArray())));
        Assert.Equal(await repo.GitBytesAsync(["archive", "--format=tar", "--prefix=p/", commit]), archive);
    }

    [Fact]
    public async Task GetArchive_EmptyPrefix_EntriesUnderSlash()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await CommitSampleTreeAsync(repo);

        var listing = await ListAsync(Format.Tar, await CallAsync(repo, commit, Format.Tar, prefix: ""));

        Assert.Contains("/", listing);
        Assert.Contains("/README.md", listing);
        Assert.All(listing, n => Assert.StartsWith("/", n, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("dir")]
    [InlineData("dir/")]
    [InlineData("/dir")]
    [InlineData("dir/../dir")]
    public async Task GetArchive_Path_OnlyThatSubtree(string path)
    {
        var repo = await server.CreateRepoAsync();
        var commit = await CommitSampleTreeAsync(repo);

        var archive = await CallAsync(repo, commit, Format.Tar, prefix: "p", path: Encoding.UTF8.GetBytes(path));

        Assert.Equal(await repo.GitBytesAsync(["archive", "--format=tar", "--prefix=p/", commit, "--", "dir"]), archive);
        Assert.Contains("p/dir/nested.txt", await ListAsync(Format.Tar, archive));
        Assert.DoesNotContain("p/README.md", await ListAsync(Format.Tar, archive));
    }

    [Fact]
    public async Task GetArchive_ElidePath_SubtreeAtRoot()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await CommitSampleTreeAsync(repo);

        var listing = await ListAsync(Format.Tar, await CallAsync(repo, commit, Format.Tar, prefix: "p", path: "dir/"u8.ToArray(), elidePath: true));

        Assert.Equal(["p/", "p/deeper/", "p/deeper/file.txt", "p/nested.txt"], listing.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task GetArchive_ElidePathAndExclude_ExcludeRelativeToPath()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await CommitSampleTreeAsync(repo);

        var listing = await ListAsync(Format.Zip, await CallAsync(repo, commit, Format.Zip, prefix: "p", path: "dir"u8.ToArray(), elidePath: true,
            excludes: ["dir/deeper"]));

        Assert.Contains("p/nested.txt", listing);
        Assert.DoesNotContain(listing, n => n.Contains("deeper", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetArchive_Exclude_LeftOut()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await CommitSampleTreeAsync(repo);

        var archive = await CallAsync(repo, commit, Format.Tar, prefix: "p", excludes: ["dir", "README.md"]);

        Assert.Equal(await repo.GitBytesAsync(["archive", "--format=tar", "--prefix=p/", commit, "--", ".", ":(exclude)dir", ":(exclude)README.md"]), archive);
        var listing = await ListAsync(Format.Tar, archive);
        Assert.DoesNotContain(listing, n => n.StartsWith("p/dir", StringComparison.Ordinal) || n == "p/README.md");
        Assert.Contains("p/link", listing);
    }

    [Fact]
    public async Task GetArchive_NonUtf8PathAndExclude_Honoured()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await CommitSampleTreeAsync(repo);

        var only = await TarNamesAsync(await CallAsync(repo, commit, Format.Tar, prefix: "p", path: NonUtf8Dir));
        var elided = await TarNamesAsync(await CallAsync(repo, commit, Format.Tar, prefix: "p", path: NonUtf8Dir, elidePath: true));
        var without = await TarNamesAsync(await CallAsync(repo, commit, Format.Tar, prefix: "p", excludeBytes: [NonUtf8Dir]));

        var inner = "p/"u8.ToArray().Concat(NonUtf8Dir).Concat("/inner.txt"u8.ToArray()).ToArray();
        Assert.Contains(only, n => n.SequenceEqual(inner));
        Assert.DoesNotContain(only, n => n.SequenceEqual("p/README.md"u8.ToArray()));
        Assert.Contains(elided, n => n.SequenceEqual("p/inner.txt"u8.ToArray()));
        Assert.DoesNotContain(without, n => n.SequenceEqual(inner));
        Assert.Contains(without, n => n.SequenceEqual("p/README.md"u8.ToArray()));
    }

    [Fact]
    public async Task GetArchive_PathLooksLikeOption_TakenAsPath()
    {
        var repo = await server.CreateRepoAsync();
        var output = Path.Combine(server.Root.Path, "injected-" + Guid.NewGuid().ToString("N"));
        var commit = await repo.CommitAsync(files: new Dictionary<string, object> { ["--output=" + output + "/x"] = "injected" });

        var listing = await ListAsync(Format.Tar, await CallAsync(repo, commit, Format.Tar, prefix: "", path: Encoding.UTF8.GetBytes("--output=" + output)));

        Assert.False(Path.Exists(output));
        Assert.Contains("/--output=" + output + "/x", listing);
    }

    [Fact]
    public async Task GetArchive_StandaloneIncludeLfsBlobs_PointerArchived()
    {
        var repo = await server.CreateRepoAsync();
        var pointer = Encoding.ASCII.GetBytes($"version https://git-lfs.github.com/spec/v1\noid sha256:{new string('a', 64)}\nsize 5\n");
        var commit = await repo.CommitAsync(files: new Dictionary<string, object> { ["file.lfs"] = pointer });

        var archive = await CallAsync(repo, commit, Format.Tar, prefix: "p", includeLfsBlobs: true);

        using var extracted = await ExtractAsync(Format.Tar, archive);
        Assert.Equal(pointer, await File.ReadAllBytesAsync(Path.Combine(extracted.Path, "p", "file.lfs")));
    }

    [Fact]
    public async Task GetArchive_LargeArchive_FullChunksOf32KiB()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync(files: new Dictionary<string, object> { ["big.bin"] = RandomBytes(200_000) });

        var messages = await CallMessagesAsync(new GetArchiveRequest
        {
            Repository = ServerFixture.Proto(repo),
            CommitId = commit,
            Prefix = "p",
            Format = Format.Tar,
        });

        Assert.True(messages.Count > 6);
        Assert.All(messages.SkipLast(1), m => Assert.Equal(ChunkSize, m.Data.Length));
        Assert.InRange(messages[^1].Data.Length, 1, ChunkSize);
        Assert.Equal(await repo.GitBytesAsync(["archive", "--format=tar", "--prefix=p/", commit]), messages.SelectMany(m => m.Data.ToByteArray()).ToArray());
    }

    [Fact]
    public async Task GetArchive_NoRepository_InvalidArgument()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => CallMessagesAsync(new GetArchiveRequest { CommitId = "main" }));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    [Fact]
    public async Task GetArchive_RepositoryMissing_NotFound()
    {
        var request = new GetArchiveRequest
        {
            Repository = new Gitaly.Repository { StorageName = ServerFixture.StorageName, RelativePath = "missing.git" },
            CommitId = "main",
        };

        var e = await Assert.ThrowsAsync<RpcException>(() => CallMessagesAsync(request));

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    [Theory]
    [InlineData("", "invalid commitId: empty revision")]
    [InlineData("-main", "invalid commitId: revision can't start with '-'")]
    [InlineData("main:dir", "invalid commitId: revision can't contain ':'")]
    public async Task GetArchive_InvalidCommitId_InvalidArgument(string commitId, string message)
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, commitId, Format.Zip, prefix: ""));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);
    }

    [Fact]
    public async Task GetArchive_UnknownFormat_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, commit, (Format)42, prefix: ""));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("invalid format", e.Status.Detail);
    }

    [Theory]
    [InlineData("../../foo")]
    [InlineData("dir/../../..")]
    public async Task GetArchive_PathEscapesRepository_InvalidArgument(string path)
    {
        var repo = await server.CreateRepoAsync();
        var commit = await repo.CommitAsync();

        var fromPath = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, commit, Format.Tar, prefix: "", path: Encoding.UTF8.GetBytes(path)));
        var fromExclude = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, commit, Format.Tar, prefix: "", excludes: [path]));

        Assert.Equal(StatusCode.InvalidArgument, fromPath.StatusCode);
        Assert.Equal("relative path escapes root directory", fromPath.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, fromExclude.StatusCode);
    }

    [Fact]
    public async Task GetArchive_PathOrExcludeMissing_FailedPrecondition()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await CommitSampleTreeAsync(repo);

        var path = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, commit, Format.Zip, prefix: "", path: "unknown-path"u8.ToArray()));
        var exclude = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, commit, Format.Zip, prefix: "", excludes: ["dir", "nope/"]));
        var missingCommit = await Assert.ThrowsAsync<RpcException>(() =>
            CallAsync(repo, new string('1', repo.HexLength), Format.Zip, prefix: "", path: "dir"u8.ToArray()));

        Assert.Equal(StatusCode.FailedPrecondition, path.StatusCode);
        Assert.Equal("path doesn't exist", path.Status.Detail);
        Assert.Equal(StatusCode.FailedPrecondition, exclude.StatusCode);
        Assert.Equal("exclude[1] doesn't exist", exclude.Status.Detail);
        Assert.Equal(StatusCode.FailedPrecondition, missingCommit.StatusCode);
    }

    [Fact]
    public async Task GetArchive_ElidePathWithExcludeOutsidePath_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await CommitSampleTreeAsync(repo);

        var e = await Assert.ThrowsAsync<RpcException>(() =>
            CallAsync(repo, commit, Format.Tar, prefix: "p", path: "dir"u8.ToArray(), elidePath: true, excludes: ["README.md"]));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("invalid exclude: \"README.md\" is not a subdirectory of \"dir\"", e.Status.Detail);
    }

    [Fact]
    public async Task GetArchive_UnknownCommit_Internal()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, "no-such-branch", Format.TarGz, prefix: "p"));

        Assert.Equal(StatusCode.Internal, e.StatusCode);
    }

    [Fact]
    public async Task GetArchive_ElidedPathIsAFile_Internal()
    {
        var repo = await server.CreateRepoAsync();
        var commit = await CommitSampleTreeAsync(repo);

        var e = await Assert.ThrowsAsync<RpcException>(() =>
            CallAsync(repo, commit, Format.Tar, prefix: "p", path: "dir/nested.txt"u8.ToArray(), elidePath: true));

        Assert.Equal(StatusCode.Internal, e.StatusCode);
    }

    /// <summary>README.md, a nested directory, an executable, a symlink, a submodule and a directory whose name is not UTF-8.</summary>
    private static Task<string> CommitSampleTreeAsync(TestRepo repo) => repo.CommitAsync(files: new Dictionary<string, object>
    {
        ["README.md"] = "readme\n",
        ["dir/nested.txt"] = "nested\n",
        ["dir/deeper/file.txt"] = "deeper\n",
        ["run.sh"] = new TreeFile(Encoding.UTF8.GetBytes("#!/bin/sh\necho hi\n"), Mode: "100755"),
        ["link"] = new TreeFile(Encoding.UTF8.GetBytes("README.md"), Mode: "120000"),
        ["sub"] = new TreeFile(Mode: "160000", Oid: new string('5', repo.HexLength)),
        ["raw"] = new TreeFile(Encoding.UTF8.GetBytes("raw\n"), RawPath: [.. NonUtf8Dir, .. "/inner.txt"u8.ToArray()]),
    });

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(7).NextBytes(bytes);
        return bytes;
    }

    /// <summary>What Gitaly's pipeline gives: git archive, then gzip -c -n or bzip2 -c.</summary>
    private static async Task<byte[]> GitArchiveAsync(TestRepo repo, Format format, string prefixFlag, string commit)
    {
        var archive = await repo.GitBytesAsync(["archive", "--format=" + (format == Format.Zip ? "zip" : "tar"), prefixFlag, commit]);
        return format switch
        {
            Format.TarGz => await RunAsync("gzip", ["-c", "-n"], archive),
            Format.TarBz2 => await RunAsync("bzip2", ["-c"], archive),
            _ => archive,
        };
    }

    private static async Task<string[]> ListAsync(Format format, byte[] archive)
    {
        if (format == Format.Zip)
        {
            using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(archive));
            return [.. zip.Entries.Select(e => e.FullName)];
        }

        var flag = format switch { Format.TarGz => "-tz", Format.TarBz2 => "-tj", _ => "-t" };
        var output = await RunAsync("tar", [flag, "-f", "-"], archive);
        return Encoding.UTF8.GetString(output).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Entry names as raw bytes, for names that are not UTF-8.</summary>
    private static async Task<List<byte[]>> TarNamesAsync(byte[] tar)
    {
        var output = await RunAsync("tar", ["-t", "--quoting-style=literal", "-f", "-"], tar);
        var names = new List<byte[]>();
        var start = 0;
        for (var i = 0; i < output.Length; i++)
        {
            if (output[i] == '\n')
            {
                names.Add(output[start..i]);
                start = i + 1;
            }
        }

        return names;
    }

    private static async Task<TempDirectory> ExtractAsync(Format format, byte[] archive)
    {
        var dir = new TempDirectory();
        var flag = format switch { Format.TarGz => "-xz", Format.TarBz2 => "-xj", _ => "-x" };
        await RunAsync("tar", [flag, "-f", "-", "-C", dir.Path], archive);
        return dir;
    }

    internal static async Task<byte[]> RunAsync(string program, string[] args, byte[] stdin)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi)!;
        var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.BaseStream.WriteAsync(stdin);
        process.StandardInput.Close();
        await copy;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed: {await stderr}");
        }

        return stdout.ToArray();
    }

    private async Task<byte[]> CallAsync(TestRepo repo, string commitId, Format format, string prefix, byte[]? path = null, bool elidePath = false,
        string[]? excludes = null, byte[][]? excludeBytes = null, bool includeLfsBlobs = false)
    {
        var request = new GetArchiveRequest
        {
            Repository = ServerFixture.Proto(repo),
            CommitId = commitId,
            Prefix = prefix,
            Format = format,
            Path = path is null ? ByteString.Empty : ByteString.CopyFrom(path),
            ElidePath = elidePath,
            IncludeLfsBlobs = includeLfsBlobs,
        };
        request.Exclude.AddRange((excludes ?? []).Select(ByteString.CopyFromUtf8));
        request.Exclude.AddRange((excludeBytes ?? []).Select(b => ByteString.CopyFrom(b)));
        return (await CallMessagesAsync(request)).SelectMany(m => m.Data.ToByteArray()).ToArray();
    }

    private async Task<List<GetArchiveResponse>> CallMessagesAsync(GetArchiveRequest request)
    {
        using var call = server.Repository.GetArchive(request);
        var messages = new List<GetArchiveResponse>();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            messages.Add(message);
        }

        return messages;
    }
}
