using System.Text;
using Lode.Git.Objects;

namespace Lode.Git.Tests.Objects;

public sealed class TagParserTests
{
    private const string RefFormat =
        "%(object)%00%(type)%00%(tag)%00%(taggername)%00%(taggeremail)%00%(taggerdate:raw)%00%(contents)%00%(contents:signature)";

    public static TheoryData<string> Formats => new() { "sha1", "sha256" };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Parse_AnnotatedTag_MatchesForEachRef(string format)
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync(format);
        var commit = await repo.CommitAsync();
        await repo.GitAsync("tag", "-a", "-m", "Release 1.0\n\nThe first one.", "v1.0", commit);
        var oid = await repo.RevParseAsync("refs/tags/v1.0");

        var tag = TagParser.Parse(await GitObjects.RawAsync(repo, "tag", oid));
        var f = await ForEachRefAsync(repo, "refs/tags/v1.0");

        Assert.Equal(f[0], tag.ObjectId);
        Assert.Equal(commit, tag.ObjectId);
        Assert.Equal(f[1], tag.ObjectType);
        Assert.Equal(f[2], Encoding.UTF8.GetString(tag.Name));
        Assert.Equal(f[3], Encoding.UTF8.GetString(tag.Tagger!.Name));
        Assert.Equal(f[4], "<" + Encoding.UTF8.GetString(tag.Tagger.Email) + ">");
        Assert.Equal(f[5], $"{tag.Tagger.Seconds} {Encoding.ASCII.GetString(tag.Tagger.Timezone)}");
        Assert.Equal(f[6], Encoding.UTF8.GetString(tag.Body));
        Assert.Equal(f[6], Encoding.UTF8.GetString(tag.Message));
        Assert.Empty(tag.SignatureData);
        Assert.Equal(SignatureType.None, tag.SignatureType);
    }

    public static TheoryData<string, string, SignatureType> SignedCases()
    {
        var data = new TheoryData<string, string, SignatureType>();
        foreach (var format in new[] { "sha1", "sha256" })
        {
            data.Add(format, GitObjects.PgpSignature, SignatureType.Pgp);
            data.Add(format, GitObjects.SshSignature, SignatureType.Ssh);
            data.Add(format, GitObjects.X509Signature, SignatureType.X509);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SignedCases))]
    public async Task Parse_SignedTag_SplitsSignatureAsGitDoes(string format, string signature, SignatureType type)
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync(format);
        var commit = await repo.CommitAsync();
        // A decoy marker inside the message must not count: git takes the last marker line.
        var raw = $"object {commit}\ntype commit\ntag signed\ntagger T <t@x> 1700000000 +0000\n\n" +
            "Signed release\n\n-----BEGIN PGP SIGNATURE----- is how signatures start\n" + signature;
        var oid = (await repo.GitBytesAsync(["mktag"], Encoding.UTF8.GetBytes(raw))).AsSpan().Trim("\n"u8).ToArray();
        await repo.GitAsync("update-ref", "refs/tags/signed", Encoding.ASCII.GetString(oid));

        var tag = TagParser.Parse(await GitObjects.RawAsync(repo, "tag", Encoding.ASCII.GetString(oid)));
        var f = await ForEachRefAsync(repo, "refs/tags/signed");

        Assert.Equal(f[7], Encoding.UTF8.GetString(tag.SignatureData));
        Assert.Equal(signature, Encoding.UTF8.GetString(tag.SignatureData));
        Assert.Equal(f[6], Encoding.UTF8.GetString(tag.Body));
        Assert.Equal(f[6][..^f[7].Length], Encoding.UTF8.GetString(tag.Message));
        Assert.Equal(type, tag.SignatureType);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Parse_TagOfTreeWithoutTagger_TaggerIsNull(string format)
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync(format);
        var tree = ObjectFormat.FromName(format)!.EmptyTreeOid;
        await repo.GitBytesAsync(["mktree"], []);
        var raw = Encoding.UTF8.GetBytes($"object {tree}\ntype tree\ntag old-style\n\nno tagger here\n");
        var oid = await GitObjects.WriteAsync(repo, "tag", raw, literally: true);

        var tag = TagParser.Parse(await GitObjects.RawAsync(repo, "tag", oid));

        Assert.Null(tag.Tagger);
        Assert.Equal("tree", tag.ObjectType);
        Assert.Same(ObjectTypes.Tree, tag.ObjectType);
        Assert.Equal("old-style"u8.ToArray(), tag.Name);
        Assert.Equal("no tagger here\n"u8.ToArray(), tag.Message);
    }

    public static TheoryData<string> MalformedTags => new()
    {
        "",
        "object",
        "object \ntype\ntag\ntagger\n",
        "tagger <\n\n-----BEGIN PGP SIGNATURE-----",
        "\n-----BEGIN SSH SIGNATURE-----\n",
        "\n\n\n-----BEGIN",
        "type blob\n\nmessage without newline",
    };

    [Theory]
    [MemberData(nameof(MalformedTags))]
    public void Parse_MalformedTag_DoesNotThrow(string raw)
    {
        var tag = TagParser.Parse(Encoding.UTF8.GetBytes(raw));

        Assert.Equal(tag.Body.Length, tag.Message.Length + tag.SignatureData.Length);
    }

    private static async Task<string[]> ForEachRefAsync(Lode.TestKit.TestRepo repo, string refName)
    {
        var output = await repo.GitBytesAsync(["for-each-ref", "--format=" + RefFormat, refName]);
        var text = Encoding.UTF8.GetString(output);
        // for-each-ref ends each record with LF.
        return text[..^1].Split('\0');
    }
}
