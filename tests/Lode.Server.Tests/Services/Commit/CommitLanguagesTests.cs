using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Commit;

public sealed class CommitLanguagesTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task CommitLanguages_HandBuiltTree_ExactSharesBytesColorsAndIds(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        await repo.CommitAsync(files: new Dictionary<string, object>
        {
            ["app/a.rb"] = Sized("puts 1\n", 100),
            ["app/b.rb"] = Sized("puts 2\n", 200),
            ["lib/c.rb"] = Sized("puts 3\n", 300),
            ["web/site.js"] = Sized("let x = 1;\n", 400),
            ["vendor/lib.js"] = Sized("let v = 1;\n", 1000),
            ["docs/guide.rb"] = Sized("puts 4\n", 500),
            ["README.md"] = Sized("# readme\n", 50),
            ["data.json"] = Sized("{\"a\": 1}\n", 300),
            ["image.png"] = new byte[] { 0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 1 },
            ["app/main.min.js"] = Sized("var a=1;", 5000, lineLength: 5000),
        });

        var response = await server.Commit.CommitLanguagesAsync(Request(repo, "main"));

        Assert.Equal(["Ruby", "JavaScript"], response.Languages.Select(l => l.Name));
        var ruby = response.Languages[0];
        var javascript = response.Languages[1];
        Assert.Equal(600UL, ruby.Bytes);
        Assert.Equal(400UL, javascript.Bytes);
        Assert.Equal((float)(100 * 600UL) / 1000UL, ruby.Share);
        Assert.Equal((float)(100 * 400UL) / 1000UL, javascript.Share);
        Assert.Equal("#701516", ruby.Color);
        Assert.Equal("#f1e05a", javascript.Color);
        Assert.Equal(326, ruby.LanguageId);
        Assert.Equal(183, javascript.LanguageId);
    }

    [Fact]
    public async Task CommitLanguages_GitAttributes_OverrideVendoredGeneratedLanguageAndDetectable()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(files: new Dictionary<string, object>
        {
            [".gitattributes"] = "vendor/kept.js -linguist-vendored\n" +
                "lib/gen.rb linguist-generated\n" +
                "notes.txt linguist-language=Python\n" +
                "*.json linguist-detectable\n" +
                "sub/.hidden/** linguist-documentation\n",
            ["sub/.gitattributes"] = "*.rb linguist-language=Java\n",
            ["app.rb"] = Sized("puts 1\n", 100),
            ["lib/gen.rb"] = Sized("puts 2\n", 700),
            ["vendor/kept.js"] = Sized("let k = 1;\n", 200),
            ["vendor/dropped.js"] = Sized("let d = 1;\n", 900),
            ["notes.txt"] = Sized("print(1)\n", 300),
            ["data.json"] = Sized("{\"a\": 1}\n", 50),
            ["sub/x.rb"] = Sized("puts 3\n", 150),
            ["sub/.hidden/y.rb"] = Sized("puts 4\n", 800),
        });

        var response = await server.Commit.CommitLanguagesAsync(Request(repo, "main"));

        var bytes = response.Languages.ToDictionary(l => l.Name, l => l.Bytes);
        Assert.Equal(new Dictionary<string, ulong>
        {
            ["Python"] = 300,
            ["JavaScript"] = 200,
            ["Java"] = 150,
            ["Ruby"] = 100,
            ["JSON"] = 50,
        }, bytes);
        Assert.Equal(["Python", "JavaScript", "Java", "Ruby", "JSON"], response.Languages.Select(l => l.Name));
    }

    [Fact]
    public async Task CommitLanguages_InfoAttributes_Honoured()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(files: new Dictionary<string, object> { ["a.rb"] = Sized("puts 1\n", 100), ["b.py"] = Sized("print(1)\n", 100) });
        Directory.CreateDirectory(Path.Combine(repo.Path, "info"));
        await File.WriteAllTextAsync(Path.Combine(repo.Path, "info", "attributes"), "*.py linguist-vendored\n");

        var response = await server.Commit.CommitLanguagesAsync(Request(repo, "main"));

        Assert.Equal(["Ruby"], response.Languages.Select(l => l.Name));
    }

    [Fact]
    public async Task CommitLanguages_EmptyRevision_UsesDefaultBranch()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main", files: new Dictionary<string, object> { ["a.rb"] = "puts 1\n" });
        await repo.CommitAsync(branch: "other", files: new Dictionary<string, object> { ["a.py"] = "print(1)\n" });

        var response = await server.Commit.CommitLanguagesAsync(Request(repo, ""));

        var language = Assert.Single(response.Languages);
        Assert.Equal("Ruby", language.Name);
        Assert.Equal(100f, language.Share);
    }

    [Fact]
    public async Task CommitLanguages_AmbiguousName_TakesTheBranch()
    {
        var repo = await server.CreateRepoAsync();
        var python = await repo.CommitAsync(branch: "x", files: new Dictionary<string, object> { ["a.py"] = "print(1)\n" });
        await repo.CommitAsync(branch: "x", files: new Dictionary<string, object> { ["a.rb"] = "puts 1\n" });
        await repo.GitAsync("update-ref", "refs/tags/x", python);

        var response = await server.Commit.CommitLanguagesAsync(Request(repo, "x"));

        Assert.Equal("Ruby", Assert.Single(response.Languages).Name);
    }

    [Fact]
    public async Task CommitLanguages_NoCountedFiles_EmptyResponse()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(files: new Dictionary<string, object> { ["README.md"] = "# hi\n", ["data.json"] = "{}\n" });

        var response = await server.Commit.CommitLanguagesAsync(Request(repo, "main"));

        Assert.Empty(response.Languages);
    }

    [Fact]
    public async Task CommitLanguages_UnknownRevision_Internal()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync();

        var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Commit.CommitLanguagesAsync(Request(repo, "nope")));

        Assert.Equal(StatusCode.Internal, e.StatusCode);
        Assert.StartsWith("looking up revision: exit status 128", e.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommitLanguages_InvalidRevision_InvalidArgument()
    {
        var repo = await server.CreateRepoAsync();

        var e = await Assert.ThrowsAsync<RpcException>(async () => await server.Commit.CommitLanguagesAsync(Request(repo, "--all")));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("revision can't start with '-'", e.Status.Detail);
    }

    private static CommitLanguagesRequest Request(TestRepo repo, string revision) => new()
    {
        Repository = ServerFixture.Proto(repo),
        Revision = ByteString.CopyFromUtf8(revision),
    };

    /// <summary><paramref name="line"/> repeated (then cut) to exactly <paramref name="size"/> bytes, ending in a newline.</summary>
    private static string Sized(string line, int size, int lineLength = 0)
    {
        var text = lineLength > 0 ? new string('x', size - 1) : string.Concat(Enumerable.Repeat(line, (size / line.Length) + 1));
        if (lineLength > 0)
        {
            return (line + text)[..(size - 1)] + "\n";
        }

        return text[..(size - 1)] + "\n";
    }
}
