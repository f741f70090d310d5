using Lode.Host.Cli;
using Lode.TestKit;
using Lode.TestKit.Gitlab;

namespace Lode.Server.Tests.Gitlab;

public sealed class CheckCommandTests : IAsyncLifetime
{
    private readonly TempDirectory temp = new("lode-check-");
    private FakeGitlab gitlab = null!;

    public async Task InitializeAsync() => gitlab = await FakeGitlab.StartAsync();

    public async Task DisposeAsync()
    {
        await gitlab.DisposeAsync();
        temp.Dispose();
    }

    private FileInfo Config(string gitlabSection)
    {
        var storage = temp.Combine("storage");
        Directory.CreateDirectory(storage);
        var path = temp.Combine("config-" + Guid.NewGuid().ToString("N") + ".toml");
        File.WriteAllText(path, $"""
            listen_addr = '127.0.0.1:0'
            bin_dir = '{AppContext.BaseDirectory}'

            [[storage]]
            name = 'default'
            path = '{storage}'

            {gitlabSection}
            """);
        return new FileInfo(path);
    }

    [Fact]
    public async Task Check_GitlabAnswers_PrintsFactsAndExitsZero()
    {
        var secretFile = temp.Combine("secret");
        await File.WriteAllTextAsync(secretFile, FakeGitlab.Secret + "\n");
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = await CheckCommand.RunAsync(Config($"[gitlab]\nurl = '{gitlab.Url}'\nsecret_file = '{secretFile}'"), output, error, CancellationToken.None);

        Assert.Equal(0, exit);
        Assert.Equal(
            "Checking GitLab API access: OK\nGitLab version: 17.9.0\nGitLab revision: abc123\nGitLab Api version: v4\n" +
            "Redis reachable for GitLab: true\nOK\n", output.ToString().ReplaceLineEndings("\n"));
        Assert.Equal("", error.ToString());
        Assert.True(Assert.Single(gitlab.RequestsTo("/check")).JwtValid);
    }

    [Fact]
    public async Task Check_GitlabFails_FailedAndExitOne()
    {
        gitlab.Check = () => FakeAnswer.Json(500, """{"message":"boom"}""");
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = await CheckCommand.RunAsync(Config($"[gitlab]\nurl = '{gitlab.Url}'\nsecret = '{FakeGitlab.Secret}'"), output, error, CancellationToken.None);

        Assert.Equal(1, exit);
        Assert.Equal("Checking GitLab API access: FAILED\n", output.ToString().ReplaceLineEndings("\n"));
        Assert.Equal("HTTP GET to GitLab endpoint /check failed: boom\n", error.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Check_NoSecret_ConfigErrorAndExitOne()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = await CheckCommand.RunAsync(Config($"[gitlab]\nurl = '{gitlab.Url}'"), output, error, CancellationToken.None);

        Assert.Equal(1, exit);
        Assert.Contains("gitlab.secret: GitLab secret not configured", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_NoGitlabUrl_FailedAndExitOne()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = await CheckCommand.RunAsync(Config(""), output, error, CancellationToken.None);

        Assert.Equal(1, exit);
        Assert.Contains("no GitLab URL configured", error.ToString(), StringComparison.Ordinal);
    }
}
