using System.Buffers;
using System.Text;
using Lode.Git.Objects;
using Lode.TestKit;

namespace Lode.Git.Tests.Objects;

public sealed class CommitParserTests
{
    public static TheoryData<string> Formats => new() { "sha1", "sha256" };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Parse_RegularCommit_MatchesGitLog(string format)
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync(format);
        await repo.CommitAsync(message: "first\n");
        var oid = await repo.CommitAsync(message: "Fix the frobnicator\n\nIt was broken.\nReally.\n",
            author: "Ann Author <ann@example.com>", date: new DateTimeOffset(2023, 11, 14, 22, 13, 20, TimeSpan.FromHours(-5.5)));

        var commit = CommitParser.Parse(await GitObjects.RawAsync(repo, "commit", oid));
        var f = await GitObjects.LogFieldsAsync(repo, oid, "%T", "%P", "%an", "%ae", "%ad", "%cn", "%ce", "%cd", "%s", "%B");

        Assert.Equal(Encoding.ASCII.GetString(f[0]), commit.TreeId);
        Assert.Equal(Encoding.ASCII.GetString(f[1]), string.Join(' ', commit.ParentIds));
        Assert.Equal(f[2], commit.Author!.Name);
        Assert.Equal(f[3], commit.Author.Email);
        Assert.Equal(Encoding.ASCII.GetString(f[4]), $"{commit.Author.Seconds} {Encoding.ASCII.GetString(commit.Author.Timezone)}");
        Assert.Equal(f[5], commit.Committer!.Name);
        Assert.Equal(f[6], commit.Committer.Email);
        Assert.Equal(Encoding.ASCII.GetString(f[7]), $"{commit.Committer.Seconds} {Encoding.ASCII.GetString(commit.Committer.Timezone)}");
        Assert.Equal(f[8], commit.Subject);
        Assert.Equal(f[9], commit.Body);
        Assert.Equal(new DateTimeOffset(2023, 11, 14, 22, 13, 20, TimeSpan.FromHours(-5.5)), commit.Author.ToDateTimeOffset());
        Assert.Equal(TimeSpan.FromHours(-5.5), commit.Author.ToDateTimeOffset()!.Value.Offset);
        Assert.Empty(commit.Encoding);
        Assert.Equal(SignatureType.None, commit.SignatureType);
        Assert.Empty(commit.SignatureData);
        Assert.Empty(commit.ExtraHeaders);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Parse_OctopusMerge_ListsParentsInOrder(string format)
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync(format);
        var a = await repo.CommitAsync(branch: "a");
        var b = await repo.CommitAsync(branch: "b");
        var c = await repo.CommitAsync(branch: "c");
        var merge = await repo.CommitAsync(message: "Merge branches\n", parents: [c, a, b]);

        var commit = CommitParser.Parse(await GitObjects.RawAsync(repo, "commit", merge));
        var parents = await GitObjects.LogFieldsAsync(repo, merge, "%P");

        Assert.Equal([c, a, b], commit.ParentIds);
        Assert.Equal(Encoding.ASCII.GetString(parents[0]), string.Join(' ', commit.ParentIds));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Parse_RootCommit_HasNoParents(string format)
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync(format);
        var oid = await repo.CommitAsync(message: "single line no newline");

        var commit = CommitParser.Parse(await GitObjects.RawAsync(repo, "commit", oid));

        Assert.Empty(commit.ParentIds);
        Assert.Equal("single line no newline"u8.ToArray(), commit.Subject);
        Assert.Equal("single line no newline"u8.ToArray(), commit.Body);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Parse_EncodingHeader_ExtractedWithRawLatin1Fields(string format)
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync(format);
        var latin1 = Encoding.Latin1;
        var tree = ObjectFormat.FromName(format)!.EmptyTreeOid;
        var raw = latin1.GetBytes(
            $"tree {tree}\nauthor Jos\u00e9 <jose@example.com> 1700000000 +0100\ncommitter Jos\u00e9 <jose@example.com> 1700000000 +0100\n" +
            "encoding ISO-8859-1\n\nCaf\u00e9 cr\u00e8me\n");
        var oid = await GitObjects.WriteAsync(repo, "commit", raw);

        var commit = CommitParser.Parse(await GitObjects.RawAsync(repo, "commit", oid));
        var f = await GitObjects.LogFieldsAsync(repo, oid, "%e");

        Assert.Equal(f[0], commit.Encoding);
        Assert.Equal("ISO-8859-1"u8.ToArray(), commit.Encoding);
        Assert.Equal(latin1.GetBytes("Jos\u00e9"), commit.Author!.Name);
        Assert.Equal(latin1.GetBytes("Caf\u00e9 cr\u00e8me\n"), commit.Body);
    }

    public static TheoryData<string, string, string, SignatureType> SignedCases()
    {
        var data = new TheoryData<string, string, string, SignatureType>();
        foreach (var format in new[] { "sha1", "sha256" })
        {
            data.Add(format, "gpgsig", GitObjects.PgpSignature, SignatureType.Pgp);
            data.Add(format, "gpgsig-sha256", GitObjects.PgpSignature, SignatureType.Pgp);
            data.Add(format, "gpgsig", GitObjects.SshSignature, SignatureType.Ssh);
            data.Add(format, "gpgsig", GitObjects.X509Signature, SignatureType.X509);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SignedCases))]
    public async Task Parse_SignedCommit_ExtractsSignatureTypeAndPayload(string format, string header, string signature, SignatureType type)
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync(format);
        var parent = await repo.CommitAsync();
        var tree = ObjectFormat.FromName(format)!.EmptyTreeOid;
        var headers = $"tree {tree}\nparent {parent}\nauthor Jane Doe <jane@example.com> 1700000000 +0100\ncommitter Jane Doe <jane@example.com> 1700000000 +0100\n";
        const string message = "\nSigned change\n\nWith a body.\n";
        var unsigned = await GitObjects.WriteAsync(repo, "commit", Encoding.UTF8.GetBytes(headers + message));
        var oid = await GitObjects.WriteAsync(repo, "commit", Encoding.UTF8.GetBytes(headers + GitObjects.FoldHeader(header, signature) + message));

        var raw = await GitObjects.RawAsync(repo, "commit", oid);
        var commit = CommitParser.Parse(raw);
        var payload = CommitParser.ExtractSignedPayload(raw);

        Assert.Equal(Encoding.UTF8.GetBytes(signature), commit.SignatureData);
        Assert.Equal(type, commit.SignatureType);
        Assert.Equal(SignatureDetector.Detect(Encoding.UTF8.GetBytes(signature)), commit.SignatureType);
        Assert.Equal([parent], commit.ParentIds);
        Assert.Equal("Signed change"u8.ToArray(), commit.Subject);
        Assert.Empty(commit.ExtraHeaders);
        // The payload is what was signed: the commit without its signature, byte for byte.
        Assert.Equal(unsigned, await GitObjects.HashAsync(repo, "commit", payload));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Parse_MergetagHeader_KeptUnfoldedAsExtraHeader(string format)
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync(format);
        var main = await repo.CommitAsync();
        var side = await repo.CommitAsync(branch: "side");
        await repo.GitAsync("tag", "-a", "-m", "Release 1\n\nNotes.", "v1", side);
        var tagOid = await repo.RevParseAsync("refs/tags/v1");
        var tagText = Encoding.UTF8.GetString(await GitObjects.RawAsync(repo, "tag", tagOid));
        var tree = ObjectFormat.FromName(format)!.EmptyTreeOid;
        var raw = $"tree {tree}\nparent {main}\nparent {side}\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n" +
            GitObjects.FoldHeader("mergetag", tagText) + "\nMerge tag 'v1'\n";
        var oid = await GitObjects.WriteAsync(repo, "commit", Encoding.UTF8.GetBytes(raw));

        var commit = CommitParser.Parse(await GitObjects.RawAsync(repo, "commit", oid));

        var extra = Assert.Single(commit.ExtraHeaders);
        Assert.Equal("mergetag"u8.ToArray(), extra.Key);
        Assert.Equal(tagText.TrimEnd('\n'), Encoding.UTF8.GetString(extra.Value));
        Assert.Equal(SignatureType.None, commit.SignatureType);
        Assert.Equal([main, side], commit.ParentIds);
    }

    [Fact]
    public void Parse_MultiSegmentSequence_EqualsSpanParse()
    {
        var raw = Encoding.UTF8.GetBytes("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@x> 5 +0200\ncommitter B <b@x> 6 -0130\n\nsubject\n\nbody\n");
        var first = new Segment(raw.AsMemory(0, 30));
        var last = first.Append(raw.AsMemory(30));

        var commit = CommitParser.Parse(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length));

        Assert.Equal("4b825dc642cb6eb9a060e54bf8d69288fbee4904", commit.TreeId);
        Assert.Equal(TimeSpan.FromMinutes(-90), commit.Committer!.TimezoneOffset);
        Assert.Equal("subject\n\nbody\n"u8.ToArray(), commit.Body);
    }

    public static TheoryData<string> MalformedCommits => new()
    {
        "",
        "\n",
        "tree",
        "tree \n",
        "parent\nparent \n\n",
        "author\n",
        "author <\n",
        "author Jane <jane\n",
        "author Jane jane@example.com> 1 +0000\n",
        "author Jane <jane@example.com>\n",
        "author Jane <jane@example.com> notanumber +0100\n",
        "author Jane <jane@example.com> 99999999999999999999999 +0100\n",
        "author Jane <jane@example.com> 1 +99999\n",
        "author Jane <jane@example.com> 1 +9959\n\nmsg",
        "gpgsig\n",
        "gpgsig \n \n",
        " continuation without header\n\nmsg",
        "gpgsig -----BEGIN PGP SIGNATURE-----\n truncated",
        "tree x\n\n",
        "\n\n\n",
        "no space at all",
        "encoding\n\n",
    };

    [Theory]
    [MemberData(nameof(MalformedCommits))]
    public void Parse_MalformedCommit_DoesNotThrow(string raw)
    {
        var bytes = Encoding.UTF8.GetBytes(raw);

        var commit = CommitParser.Parse(bytes);
        _ = commit.Author?.ToDateTimeOffset();
        _ = commit.Committer?.TimezoneOffset;
        _ = CommitParser.ExtractSignedPayload(bytes);

        Assert.NotNull(commit.TreeId);
    }

    [Fact]
    public void Parse_EveryPrefixAndRandomBytes_NeverThrows()
    {
        var raw = Encoding.UTF8.GetBytes(
            "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nparent 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n" +
            "author A <a@x> 5 +0200\ncommitter B <b@x> 6 -0130\n" + GitObjects.FoldHeader("gpgsig", GitObjects.PgpSignature) +
            "\nsubject\n\nbody\n");
        for (var i = 0; i <= raw.Length; i++)
        {
            _ = CommitParser.Parse(raw.AsSpan(0, i));
            _ = CommitParser.ExtractSignedPayload(raw.AsSpan(0, i));
        }

        var random = new Random(42);
        var noise = new byte[300];
        for (var i = 0; i < 500; i++)
        {
            random.NextBytes(noise);
            // Bias towards the bytes the parser branches on.
            for (var j = 0; j < noise.Length; j += 7)
            {
                noise[j] = "\n <> "u8[j % 5];
            }

            _ = CommitParser.Parse(noise).Author?.ToDateTimeOffset();
            _ = TagParser.Parse(noise);
        }
    }

    [Fact]
    public void Parse_SubjectWithCarriageReturns_TrimmedLikeGitaly()
    {
        var commit = CommitParser.Parse("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\nWindows subject\r\r\n\r\nbody\r\n"u8);

        Assert.Equal("Windows subject"u8.ToArray(), commit.Subject);
        Assert.Equal("Windows subject\r\r\n\r\nbody\r\n"u8.ToArray(), commit.Body);
    }

    [Fact]
    public void SignatureParse_MissingParts_StayEmpty()
    {
        var noEmail = Signature.Parse("Jane Doe"u8);
        var noDate = Signature.Parse("Jane Doe <jane@example.com>"u8);
        var badDate = Signature.Parse("Jane <j@x> later +0100"u8);
        var farFuture = Signature.Parse("Jane <j@x> 99999999999999 +1400"u8);

        Assert.Equal("Jane Doe"u8.ToArray(), noEmail.Name);
        Assert.Empty(noEmail.Email);
        Assert.Null(noEmail.Seconds);
        Assert.Null(noEmail.ToDateTimeOffset());
        Assert.Equal("jane@example.com"u8.ToArray(), noDate.Email);
        Assert.Null(noDate.Seconds);
        Assert.Equal(Signature.FallbackSeconds, badDate.Seconds);
        Assert.Equal(DateTimeOffset.MaxValue.ToUnixTimeSeconds(), badDate.ToDateTimeOffset()!.Value.ToUnixTimeSeconds());
        Assert.Equal(DateTimeOffset.MaxValue.ToUnixTimeSeconds(), farFuture.ToDateTimeOffset()!.Value.ToUnixTimeSeconds());
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
