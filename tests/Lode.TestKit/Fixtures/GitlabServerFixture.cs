using Lode.Core.Configuration;
using Lode.TestKit.Gitlab;
using Xunit;

namespace Lode.TestKit.Fixtures;

/// <summary>
/// A server wired to a <see cref="FakeGitlab"/> (a real HTTP server on loopback) as its <c>[gitlab]</c>, so hooks make
/// their access checks against it. The fake's answers are set by each test; tests of a class run one at a time.
/// </summary>
public class GitlabServerFixture : ServerFixture, IAsyncLifetime
{
    private FakeGitlab? gitlab;

    public FakeGitlab Gitlab => gitlab ?? throw new InvalidOperationException("fake GitLab not started");

    /// <summary>A folder of global custom hooks (<c>[hooks] custom_hooks_dir</c>), empty at start.</summary>
    public string GlobalHooksDir => Root.Combine("global-hooks");

    async Task IAsyncLifetime.InitializeAsync()
    {
        gitlab = await FakeGitlab.StartAsync();
        Directory.CreateDirectory(GlobalHooksDir);
        await InitializeAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        try
        {
            await DisposeAsync();
        }
        finally
        {
            await Gitlab.DisposeAsync();
        }
    }

    protected override LodeOptions Configure(LodeOptions options) => base.Configure(options) with
    {
        Gitlab = new GitlabOptions { Url = Gitlab.Url, Secret = "  " + FakeGitlab.Secret + "\n" },
        Hooks = new HooksOptions { CustomHooksDir = GlobalHooksDir },
    };
}
