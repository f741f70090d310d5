using System.Text;
using Lode.Core.Errors;
using Lode.Git.CatFile;

namespace Lode.Git.Tests.CatFile;

public sealed class ObjectReaderTests
{
    public static TheoryData<string> Formats => new() { "sha1", "sha256" };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task InfoAsync_EachObjectType_MatchesBatchCheck(string format)
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git, format);
        string[] revisions = [repo.Head, repo.Tree, repo.Blob, repo.Tag];

        var output = new BatchOutput();
        await using (var reader = await ObjectReader.StartAsync(git.Factory, git.Paths(repo.Repo), false, git.Token))
        {
            foreach (var revision in revisions)
            {
                output.AddInfo(revision, await reader.InfoAsync(revision, git.Token));
            }

            Assert.False(reader.IsDirty);
        }

        Assert.Equal(await repo.BatchCheckAsync(revisions), output.ToArray());
        git.AssertNoLeakedProcesses();
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task ReadAsync_EachObjectType_MatchesBatch(string format)
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git, format);
        string[] revisions = [repo.Head, repo.Tree, repo.Blob, repo.Tag, repo.FirstCommit];

        var output = new BatchOutput();
        await using (var reader = await ObjectReader.StartAsync(git.Factory, git.Paths(repo.Repo), false, git.Token))
        {
            foreach (var revision in revisions)
            {
                using var result = await reader.ReadAsync(revision, git.Token);
                output.Add(revision, result);
            }
        }

        Assert.Equal(await repo.BatchAsync(revisions), output.ToArray());
        git.AssertNoLeakedProcesses();
    }

    [Theory]
    [InlineData("HEAD:dir with space/file name.txt")]
    [InlineData("main~1")]
    [InlineData("main^{tree}")]
    [InlineData("v1^{}")]
    [InlineData("refs/tags/v1")]
    [InlineData("HEAD:README.md")]
    [InlineData("HEAD:")]
    [InlineData("HEAD:empty")]
    [InlineData("HEAD:does/not/exist")]
    [InlineData("refs/heads/nope")]
    [InlineData("-dash-is-fine-on-stdin")]
    public async Task ReadAsync_RevisionSyntax_ResolvesLikeGit(string revision)
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git);

        var output = new BatchOutput();
        await using (var reader = await ObjectReader.StartAsync(git.Factory, git.Paths(repo.Repo), false, git.Token))
        {
            using var result = await reader.ReadAsync(revision, git.Token);
            output.Add(revision, result);
            Assert.False(reader.IsDirty);
        }

        Assert.Equal(await repo.BatchAsync([revision]), output.ToArray());
        git.AssertNoLeakedProcesses();
    }

    [Fact]
    public async Task ReadAsync_NonUtf8PathAsBytes_ReadsTheBlob()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git);
        byte[] revision = [.. "HEAD:"u8, .. CatFileTestRepo.Latin1Path];

        await using var reader = await ObjectReader.StartAsync(git.Factory, git.Paths(repo.Repo), false, git.Token);
        using var blob = await reader.ReadAsync(revision, git.Token);
        var info = await reader.InfoAsync(revision, git.Token);

        Assert.NotNull(blob);
        Assert.Equal("latin-1 named\n"u8.ToArray(), blob.Span.ToArray());
        Assert.Equal(blob.Info, info);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task InfoAsync_MissingAndAmbiguous_ReturnsNullAndStaysClean(string format)
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git, format);
        var prefix = await repo.WriteAmbiguousPrefixAsync();

        await using (var reader = await ObjectReader.StartAsync(git.Factory, git.Paths(repo.Repo), false, git.Token))
        {
            Assert.Null(await reader.InfoAsync(repo.Format.ZeroOid, git.Token));
            Assert.Null(await reader.InfoAsync(prefix, git.Token));
            Assert.Null(await reader.ReadAsync(prefix, git.Token));
            Assert.Null(await reader.OpenAsync("refs/heads/missing", git.Token));
            Assert.False(reader.IsDirty);
            Assert.Equal(repo.Head, (await reader.InfoAsync("HEAD", git.Token))!.Oid);
        }

        Assert.Equal($"{prefix} ambiguous\n", Encoding.UTF8.GetString(await repo.BatchCheckAsync([prefix])));
        git.AssertNoLeakedProcesses();
    }

    [Fact]
    public async Task ReadAsync_ExpectedTypeMismatch_ThrowsNotFoundAndStaysClean()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git);
        await using var reader = await ObjectReader.StartAsync(git.Factory, git.Paths(repo.Repo), false, git.Token);

        var error = await Assert.ThrowsAsync<ObjectTypeMismatchException>(() => reader.ReadAsync(repo.Blob, "commit", git.Token));
        using var commit = await reader.ReadAsync("HEAD", "commit", git.Token);

        Assert.Equal(ErrorCode.NotFound, error.Code);
        Assert.Equal("blob", error.ActualType);
        Assert.Equal(repo.Head, commit!.Oid);
        Assert.False(reader.IsDirty);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task OpenAsync_BlobLargerThanOneMebibyte_StreamsExactBytes(string format)
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git, format, largeSize: 3 * 1024 * 1024 + 17);

        await using (var reader = await ObjectReader.StartAsync(git.Factory, git.Paths(repo.Repo), false, git.Token))
        {
            var read = new MemoryStream();
            await using (var stream = await reader.OpenAsync("HEAD:large.bin", git.Token))
            {
                Assert.NotNull(stream);
                Assert.Equal(repo.LargeContent.Length, stream.Length);
                var chunk = new byte[8000];
                int n;
                while ((n = await stream.ReadAsync(chunk, git.Token)) > 0)
                {
                    read.Write(chunk, 0, n);
                }
            }

            Assert.Equal(repo.LargeContent, read.ToArray());
            Assert.False(reader.IsDirty);
            // The delimiter after the content was consumed: the next answer parses.
            Assert.Equal(repo.Blob, (await reader.InfoAsync("HEAD:README.md", git.Token))!.Oid);
        }

        git.AssertNoLeakedProcesses();
    }

    [Fact]
    public async Task OpenAsync_CopyToAsync_CopiesWholeBlobAndLeavesReaderClean()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git, largeSize: 2 * 1024 * 1024);
        await using var reader = await ObjectReader.StartAsync(git.Factory, git.Paths(repo.Repo), false, git.Token);

        var copy = new MemoryStream();
        await using (var stream = await reader.OpenAsync(repo.LargeBlob, git.Token))
        {
            await stream!.CopyToAsync(copy, git.Token);
        }

        await using var empty = await reader.OpenAsync("HEAD:empty", git.Token);
        Assert.Equal(0, await empty!.ReadAsync(new byte[10], git.Token));
        using var tree = await reader.ReadAsync("HEAD^{tree}", git.Token);

        Assert.Equal(repo.LargeContent, copy.ToArray());
        Assert.Equal(repo.Tree, tree!.Oid);
        Assert.False(reader.IsDirty);
    }

    [Fact]
    public async Task OpenAsync_StreamDisposedHalfRead_ReaderDirtyAndProcessKilled()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git, largeSize: 1024 * 1024);
        var reader = await ObjectReader.StartAsync(git.Factory, git.Paths(repo.Repo), false, git.Token);

        await using (var stream = await reader.OpenAsync(repo.LargeBlob, git.Token))
        {
            Assert.True(await stream!.ReadAsync(new byte[100], git.Token) > 0);
            // An open stream is unread output already: the reader must not go back to the pool like this.
            Assert.True(reader.IsDirty);
            Assert.False(reader.ProcessExited);
        }

        Assert.True(reader.IsDirty);
        await Assert.ThrowsAsync<InvalidOperationException>(() => reader.InfoAsync("HEAD", git.Token));
        await WaitUntilAsync(() => reader.ProcessExited);
        await reader.DisposeAsync();
        git.AssertNoLeakedProcesses();
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Queue_ThousandObjects_EqualsGitBatchOutput(string format)
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git, format);
        var revisions = new List<string>(await WriteBlobsAsync(git, repo, 1000));
        revisions.InsertRange(0, [repo.Head, repo.Tree, "HEAD:" + CatFileTestRepo.SpacedPath, repo.Tag, repo.Format.ZeroOid]);
        revisions.Add("main~1");

        var output = new BatchOutput();
        await using (var reader = await ObjectReader.StartAsync(git.Factory, git.Paths(repo.Repo), false, git.Token))
        {
            using var queue = reader.CreateQueue();
            foreach (var revision in revisions)
            {
                queue.RequestContents(revision);
            }

            queue.Flush();
            foreach (var revision in revisions)
            {
                using var result = await queue.ReadObjectAsync(git.Token);
                output.Add(revision, result);
            }

            Assert.Equal(0, queue.Outstanding);
            Assert.False(reader.IsDirty);
        }

        Assert.Equal(await repo.BatchAsync(revisions), output.ToArray());
        git.AssertNoLeakedProcesses();
    }

    [Fact]
    public async Task Queue_InterleavedRequestsAndReadsWithoutFlush_AnswersInOrder()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git);
        var blobs = await WriteBlobsAsync(git, repo, 300);
        await using var reader = await ObjectReader.StartAsync(git.Factory, git.Paths(repo.Repo), false, git.Token);
        using var queue = reader.CreateQueue();

        var next = 0;
        var read = 0;
        var random = new Random(3);
        while (read < blobs.Count)
        {
            // Queue a random number, read a random number: reads ahead of a flush must flush by themselves.
            for (var i = random.Next(0, 40); i > 0 && next < blobs.Count; i--)
            {
                if (next % 3 == 0)
                {
                    queue.RequestInfo(blobs[next++]);
                }
                else
                {
                    queue.RequestContents(blobs[next++]);
                }
            }

            for (var i = random.Next(0, 40); i > 0 && read < next; i--)
            {
                if (read % 3 == 0)
                {
                    Assert.Equal(blobs[read], (await queue.ReadInfoAsync(git.Token))!.Oid);
                }
                else
                {
                    using var blob = await queue.ReadObjectAsync(git.Token);
                    Assert.Equal(blobs[read], blob!.Oid);
                    Assert.Equal($"blob number {read}\n", Encoding.UTF8.GetString(blob.Span));
                }

                read++;
            }
        }

        Assert.Equal(0, queue.Outstanding);
        Assert.False(reader.IsDirty);
    }

    [Fact]
    public async Task Queue_StreamedAnswersBetweenBufferedOnes_StayInStep()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git, largeSize: 1536 * 1024);
        await using var reader = await ObjectReader.StartAsync(git.Factory, git.Paths(repo.Repo), false, git.Token);
        using var queue = reader.CreateQueue();
        queue.RequestContents(repo.LargeBlob);
        queue.RequestInfo(repo.Head);
        queue.RequestContents(repo.LargeBlob);
        queue.RequestContents(repo.Blob);
        queue.Flush();

        var first = new MemoryStream();
        await using (var stream = await queue.OpenObjectAsync(git.Token))
        {
            await stream!.CopyToAsync(first, git.Token);
        }

        var info = await queue.ReadInfoAsync(git.Token);
        using var second = await queue.ReadObjectAsync(git.Token);
        await using var small = await queue.OpenObjectAsync(git.Token);
        var smallContent = new MemoryStream();
        await small!.CopyToAsync(smallContent, git.Token);

        Assert.Equal(repo.LargeContent, first.ToArray());
        Assert.Equal(repo.Head, info!.Oid);
        Assert.Equal(repo.LargeContent, second!.Span.ToArray());
        Assert.Equal("# Hello\n"u8.ToArray(), smallContent.ToArray());
        Assert.False(reader.IsDirty);
    }

    [Fact]
    public async Task Queue_WrongReadKindOrEmpty_ThrowsWithoutConsuming()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git);
        await using var reader = await ObjectReader.StartAsync(git.Factory, git.Paths(repo.Repo), false, git.Token);
        using var queue = reader.CreateQueue();

        await Assert.ThrowsAsync<InvalidOperationException>(() => queue.ReadInfoAsync(git.Token));
        queue.RequestInfo("HEAD");
        await Assert.ThrowsAsync<InvalidOperationException>(() => queue.ReadObjectAsync(git.Token));
        await Assert.ThrowsAsync<InvalidOperationException>(() => reader.InfoAsync("HEAD", git.Token));

        Assert.Equal(repo.Head, (await queue.ReadInfoAsync(git.Token))!.Oid);
        Assert.False(reader.IsDirty);
    }

    [Fact]
    public async Task Queue_DisposedWithUnreadAnswers_ReaderDirty()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git);
        await using var reader = await ObjectReader.StartAsync(git.Factory, git.Paths(repo.Repo), false, git.Token);

        using (var queue = reader.CreateQueue())
        {
            queue.RequestContents("HEAD");
            queue.RequestContents("HEAD~1");
            queue.Flush();
            using var first = await queue.ReadObjectAsync(git.Token);
        }

        Assert.True(reader.IsDirty);
    }

    [Fact]
    public async Task Queue_DisposedAfterReadingEverything_ReaderReusable()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git);
        await using var reader = await ObjectReader.StartAsync(git.Factory, git.Paths(repo.Repo), false, git.Token);

        using (var queue = reader.CreateQueue())
        {
            queue.RequestInfo("HEAD");
            Assert.NotNull(await queue.ReadInfoAsync(git.Token));
        }

        Assert.False(reader.IsDirty);
        Assert.Equal(repo.Head, (await reader.InfoAsync("HEAD", git.Token))!.Oid);
    }

    [Fact]
    public async Task InfoAsync_RevisionWithNewlineOnLfOutput_InvalidArgumentAndStaysClean()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git);
        await using var reader = await ObjectReader.StartAsync(git.Factory, git.Paths(repo.Repo), false, git.Token);

        if (!git.Factory.Version.SupportsCatFileNulOutput)
        {
            var error = await Assert.ThrowsAsync<LodeException>(() => reader.InfoAsync("HEAD\nHEAD", git.Token));
            Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        }

        var empty = await Assert.ThrowsAsync<LodeException>(() => reader.InfoAsync("", git.Token));
        Assert.Equal(ErrorCode.InvalidArgument, empty.Code);
        Assert.False(reader.IsDirty);
        Assert.NotNull(await reader.InfoAsync("HEAD", git.Token));
    }

    [Fact]
    public async Task ReadAsync_TokenAlreadyCancelled_ThrowsAndStaysClean()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git);
        await using var reader = await ObjectReader.StartAsync(git.Factory, git.Paths(repo.Repo), false, git.Token);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader.ReadAsync("HEAD", cancelled.Token));

        Assert.False(reader.IsDirty);
        Assert.NotNull(await reader.InfoAsync("HEAD", git.Token));
    }

    [Fact]
    public async Task QueueRead_TokenAlreadyCancelled_AnswerKeptAndReaderClean()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git);
        await using var reader = await ObjectReader.StartAsync(git.Factory, git.Paths(repo.Repo), false, git.Token);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        using var queue = reader.CreateQueue();
        queue.RequestContents("HEAD");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queue.ReadObjectAsync(cancelled.Token));
        using var commit = await queue.ReadObjectAsync(git.Token);

        Assert.Equal(repo.Head, commit!.Oid);
        Assert.False(reader.IsDirty);
    }

    [Fact]
    public async Task InfoAsync_CancelledWhileGitIsBlocked_KillsProcessAndMarksDirty()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git);
        var blocking = await BlockingObject.CreateAsync(repo.Repo);
        var reader = await ObjectReader.StartAsync(git.Factory, git.Paths(repo.Repo), false, git.Token);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader.InfoAsync(blocking, cancel.Token));

        Assert.True(reader.IsDirty);
        await WaitUntilAsync(() => reader.ProcessExited);
        await Assert.ThrowsAsync<InvalidOperationException>(() => reader.InfoAsync("HEAD", git.Token));
        await reader.DisposeAsync();
        git.AssertNoLeakedProcesses();
    }

    [Fact]
    public async Task StreamReadAsync_Cancelled_KillsProcessAndMarksDirty()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git, largeSize: 1024 * 1024);
        var reader = await ObjectReader.StartAsync(git.Factory, git.Paths(repo.Repo), false, git.Token);
        var stream = await reader.OpenAsync(repo.LargeBlob, git.Token);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await stream!.ReadAtLeastAsync(new byte[10], 10, cancellationToken: cancelled.Token));

        Assert.True(reader.IsDirty);
        await WaitUntilAsync(() => reader.ProcessExited);
        await stream!.DisposeAsync();
        await reader.DisposeAsync();
        git.AssertNoLeakedProcesses();
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Queue_UseMailmap_RewritesCommitsAndTagsLikeGit(string format)
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git, format, largeSize: 300_000);
        // In a bare repository git reads the mailmap from HEAD:.mailmap.
        await repo.Repo.CommitAsync(message: "add mailmap\n", files: new Dictionary<string, object>
        {
            [".mailmap"] = "Janet Mapped With A Longer Name <janet@example.com> Jane Doe <jane@example.com>\n",
        });
        string[] revisions = ["HEAD", repo.Tag, repo.Blob, "HEAD~1", repo.Tree, repo.Format.ZeroOid, repo.LargeBlob, repo.FirstCommit];

        var expected = new BatchOutput();
        foreach (var revision in revisions)
        {
            var info = await repo.Repo.TryRevParseAsync(revision);
            if (info is null)
            {
                expected.Add(revision, null);
                continue;
            }

            var type = await repo.Repo.GitAsync("cat-file", "-t", info);
            var content = await repo.Repo.GitBytesAsync(["cat-file", "--use-mailmap", type, info]);
            expected.AddRaw(info, type, content);
        }

        var actual = new BatchOutput();
        await using (var reader = await ObjectReader.StartAsync(git.Factory, git.Paths(repo.Repo), true, git.Token))
        {
            using var queue = reader.CreateQueue();
            foreach (var revision in revisions)
            {
                queue.RequestContents(revision);
                queue.RequestInfo("HEAD");
            }

            for (var i = 0; i < revisions.Length; i++)
            {
                if (i % 2 == 0)
                {
                    using var result = await queue.ReadObjectAsync(git.Token);
                    actual.Add(revisions[i], result);
                }
                else
                {
                    await using var stream = await queue.OpenObjectAsync(git.Token);
                    var content = new MemoryStream();
                    if (stream is not null)
                    {
                        await stream.CopyToAsync(content, git.Token);
                    }

                    actual.AddRaw(stream?.Info.Oid, stream?.Info.Type, content.ToArray(), revisions[i]);
                }

                Assert.NotNull(await queue.ReadInfoAsync(git.Token));
            }

            Assert.True(reader.UsesMailmap);
            Assert.False(reader.IsDirty);
        }

        Assert.Equal(Encoding.UTF8.GetString(expected.ToArray()), Encoding.UTF8.GetString(actual.ToArray()));
        Assert.Contains("Janet Mapped With A Longer Name", Encoding.UTF8.GetString(actual.ToArray()), StringComparison.Ordinal);
        git.AssertNoLeakedProcesses();
    }

    [Fact]
    public async Task ReadAsync_RevisionGitDiesOn_ThrowsInternalAndReaderDirty()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git);
        var reader = await ObjectReader.StartAsync(git.Factory, git.Paths(repo.Repo), false, git.Token);

        // cat-file dies on some revision errors instead of answering "missing".
        var error = await Assert.ThrowsAsync<LodeException>(() => reader.ReadAsync("main@{upstream}", git.Token));

        Assert.Equal(ErrorCode.Internal, error.Code);
        Assert.Contains(error.Metadata, m => m.Key == "stderr");
        Assert.True(reader.IsDirty);
        await reader.DisposeAsync();
        git.AssertNoLeakedProcesses();
    }

    [Fact]
    public async Task DisposeAsync_IdleReader_ProcessReaped()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await CatFileTestRepo.CreateAsync(git);
        var reader = await ObjectReader.StartAsync(git.Factory, git.Paths(repo.Repo), false, git.Token);
        Assert.Equal(1, git.Tracker.Count);

        await reader.DisposeAsync();
        await reader.DisposeAsync();

        git.AssertNoLeakedProcesses();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => reader.InfoAsync("HEAD", git.Token));
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(25);
        }

        Assert.True(condition());
    }

    /// <summary>Writes <paramref name="count"/> small blobs in one git call and returns their ids in order.</summary>
    internal static async Task<List<string>> WriteBlobsAsync(GitHarness git, CatFileTestRepo repo, int count)
    {
        var dir = Directory.CreateDirectory(git.Temp.Combine("blobs-" + Guid.NewGuid().ToString("N"))).FullName;
        var paths = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            var path = Path.Combine(dir, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await File.WriteAllTextAsync(path, $"blob number {i}\n");
            paths.Append(path).Append('\n');
        }

        var output = await repo.Repo.GitBytesAsync(["hash-object", "-w", "--stdin-paths"], Encoding.UTF8.GetBytes(paths.ToString()));
        return [.. Encoding.ASCII.GetString(output).Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }
}
