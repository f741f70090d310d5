using Gitaly;
using Google.Protobuf;
using Grpc.Core;
using Lode.TestKit;
using static Gitaly.GetFileAttributesResponse.Types;

namespace Lode.Server.Tests.Services.Repository;

public sealed class GetFileAttributesTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Attributes = "*.go diff=go text\n*.md text\n*.jpg -text\n";

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task GetFileAttributes_SeveralPathsAndAttributes_MatchesCheckAttr(string format)
    {
        var repo = await CreateAsync(format);

        var reply = await CallAsync(repo, "main", ["diff", "text"], ["example.go", "README.md", "pic.jpg", "other.txt"]);

        Assert.Equal(
            [
                Info("example.go", "diff", "go"),
                Info("example.go", "text", "set"),
                Info("README.md", "text", "set"),
                Info("pic.jpg", "text", "unset"),
            ],
            reply.AttributeInfos);
        Assert.Equal(await ExpectedAsync(repo, "main", ["diff", "text"], ["example.go", "README.md", "pic.jpg", "other.txt"]), reply.AttributeInfos);
    }

    [Fact]
    public async Task GetFileAttributes_NothingSpecified_Empty()
    {
        var repo = await CreateAsync();

        var reply = await CallAsync(repo, "main", ["diff"], ["example.txt"]);

        Assert.Empty(reply.AttributeInfos);
    }

    [Fact]
    public async Task GetFileAttributes_OlderRevision_UsesThatRevisionsAttributes()
    {
        var repo = await CreateAsync();
        var older = await repo.RevParseAsync("main");
        await repo.CommitAsync(branch: "main", files: new Dictionary<string, object>
        {
            [".gitattributes"] = "*.go diff=golang\n",
            ["example.go"] = "x",
        });

        var now = await CallAsync(repo, "main", ["diff"], ["example.go"]);
        var then = await CallAsync(repo, older, ["diff"], ["example.go"]);

        Assert.Equal([Info("example.go", "diff", "golang")], now.AttributeInfos);
        Assert.Equal([Info("example.go", "diff", "go")], then.AttributeInfos);
    }

    [Fact]
    public async Task GetFileAttributes_NestedGitattributes_Applied()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main", files: new Dictionary<string, object>
        {
            [".gitattributes"] = "*.txt text\n",
            ["sub/.gitattributes"] = "*.txt -text linguist-generated\n",
            ["sub/a.txt"] = "a",
        });

        var reply = await CallAsync(repo, "main", ["text", "linguist-generated"], ["a.txt", "sub/a.txt"]);

        Assert.Equal(
            [
                Info("a.txt", "text", "set"),
                Info("sub/a.txt", "text", "unset"),
                Info("sub/a.txt", "linguist-generated", "set"),
            ],
            reply.AttributeInfos);
    }

    [Fact]
    public async Task GetFileAttributes_InfoAttributes_TakePrecedence()
    {
        var repo = await CreateAsync();
        Directory.CreateDirectory(Path.Combine(repo.Path, "info"));
        await File.WriteAllTextAsync(Path.Combine(repo.Path, "info", "attributes"), "*.go diff=override\n");

        var reply = await CallAsync(repo, "main", ["diff"], ["example.go"]);

        Assert.Equal([Info("example.go", "diff", "override")], reply.AttributeInfos);
    }

    [Theory]
    [InlineData("", "diff", "example.go", "revision is required")]
    [InlineData("main", "diff", "", "file paths are required")]
    [InlineData("main", "", "example.go", "attributes are required")]
    public async Task GetFileAttributes_MissingField_InvalidArgument(string revision, string attribute, string path, string message)
    {
        var repo = await CreateAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, revision,
            attribute.Length > 0 ? [attribute] : [], path.Length > 0 ? [path] : []));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(message, e.Status.Detail);
    }

    [Fact]
    public async Task GetFileAttributes_UnknownRevision_InvalidArgument()
    {
        var repo = await CreateAsync();

        var e = await Assert.ThrowsAsync<RpcException>(() => CallAsync(repo, "refs/heads/missing", ["diff"], ["example.go"]));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    [Fact]
    public async Task GetFileAttributes_NoRepository_InvalidArgument()
    {
        var request = new GetFileAttributesRequest { Revision = ByteString.CopyFromUtf8("main"), Attributes = { "diff" }, Paths = { "a" } };

        var e = await Assert.ThrowsAsync<RpcException>(() => server.Repository.GetFileAttributesAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    private async Task<TestRepo> CreateAsync(string format = "sha1")
    {
        var repo = await server.CreateRepoAsync(format);
        await repo.CommitAsync(branch: "main", files: new Dictionary<string, object>
        {
            [".gitattributes"] = Attributes,
            ["example.go"] = "something important",
            ["README.md"] = "some text",
            ["pic.jpg"] = "blob",
        });
        return repo;
    }

    private async Task<GetFileAttributesResponse> CallAsync(TestRepo repo, string revision, string[] attributes, string[] paths)
    {
        var request = new GetFileAttributesRequest { Repository = ServerFixture.Proto(repo), Revision = ByteString.CopyFromUtf8(revision) };
        request.Attributes.AddRange(attributes);
        request.Paths.AddRange(paths);
        return await server.Repository.GetFileAttributesAsync(request);
    }

    /// <summary>What git says, reading the revision's attributes through a scratch index.</summary>
    private static async Task<List<AttributeInfo>> ExpectedAsync(TestRepo repo, string revision, string[] attributes, string[] paths)
    {
        var index = Path.Combine(Path.GetTempPath(), "lode-attr-" + Guid.NewGuid().ToString("N"));
        try
        {
            var env = new Dictionary<string, string> { ["GIT_INDEX_FILE"] = index };
            await GitCli.RunBytesAsync(repo.Path, ["read-tree", revision], env: env);
            var output = await GitCli.RunBytesAsync(repo.Path, ["check-attr", "--cached", "-z", .. attributes, "--", .. paths], env: env);
            var fields = System.Text.Encoding.UTF8.GetString(output).Split('\0');
            var infos = new List<AttributeInfo>();
            for (var i = 0; i + 2 < fields.Length; i += 3)
            {
                if (fields[i + 2] != "unspecified")
                {
                    infos.Add(Info(fields[i], fields[i + 1], fields[i + 2]));
                }
            }

            return infos;
        }
        finally
        {
            File.Delete(index);
        }
    }

    private static AttributeInfo Info(string path, string attribute, string value) => new() { Path = path, Attribute = attribute, Value = value };
}
