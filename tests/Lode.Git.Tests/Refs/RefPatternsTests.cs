using System.Text;
using Lode.Git.Refs;
using Lode.TestKit;

namespace Lode.Git.Tests.Refs;

/// <summary>
/// The in-process pattern rules must select exactly what git selects: each pattern is run through git (it is
/// valid UTF-8 here, so git can take it) and through <see cref="RefPatterns"/>, over the same refs.
/// </summary>
public sealed class RefPatternsTests
{
    private static readonly string[] Refs =
    [
        "refs/heads/main", "refs/heads/main2", "refs/heads/feature/a", "refs/heads/feature/b/c", "refs/heads/fix-1",
        "refs/heads/Fix-2", "refs/tags/v1.0", "refs/tags/v1.10", "refs/tags/v2/rc", "refs/tags/x]y", "refs/remotes/origin/main",
        "refs/keep-around/abc", "refs/merge-requests/1/head", "refs/a-b", "refs/ab",
    ];

    private static readonly string[] Patterns =
    [
        "refs/heads", "refs/heads/", "refs/heads/main", "refs/heads/ma", "refs/heads/main*", "refs/heads/*", "refs/heads/**",
        "refs/**/main", "refs/**", "**", "*", "refs/*/main", "refs/heads/feature/*", "refs/heads/feature/**/c", "refs/heads/?ix-*",
        "refs/heads/[fF]ix-[0-9]", "refs/heads/[!f]*", "refs/heads/[^m]*", "refs/tags/v1.[0-9]", "refs/tags/v1.[0-9]*", "refs/tags/x[]]y",
        "refs/tags/x]y", "refs/[a-b]-b", "refs/a[-]b", "refs/heads/[[:alpha:]]ain", "refs/heads/[[:digit:]]*", "refs/heads/\\m*",
        "refs/merge-requests/*/head", "refs/tags/v1.1?", "refs/heads/feature/b", "refs/heads/main/", "refs/tags/v[12]*", "refs/heads/*/*",
        "refs/heads/[[:upper:]]*", "refs/heads/[z-a]*", "refs/heads/[", "refs/heads/\\",
    ];

    [Fact]
    public async Task MatchesForEachRef_EveryPattern_SameRefsAsGit()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "");
        var input = new StringBuilder();
        foreach (var name in Refs)
        {
            input.Append($"create {name} {commit}\n");
        }

        await repo.GitBytesAsync(["update-ref", "--stdin"], Encoding.UTF8.GetBytes(input.ToString()));

        foreach (var pattern in Patterns)
        {
            var expected = await repo.GitLinesAsync("for-each-ref", "--format=%(refname)", pattern);
            var actual = Refs.Where(r => RefPatterns.MatchesForEachRef(Encoding.UTF8.GetBytes(pattern), Encoding.UTF8.GetBytes(r)))
                .Order(StringComparer.Ordinal).ToArray();
            Assert.True(expected.SequenceEqual(actual), $"pattern {pattern}: git [{string.Join(", ", expected)}] lode [{string.Join(", ", actual)}]");
        }
    }

    [Fact]
    public async Task MatchesListPattern_EveryPattern_SameTagsAsGitTagList()
    {
        await using var git = await GitHarness.CreateAsync();
        var repo = await git.CreateRepoAsync();
        var commit = await repo.CommitAsync(branch: "");
        string[] tags = ["v1", "v1.0", "v2/rc", "release/2024/1", "x"];
        foreach (var tag in tags)
        {
            await repo.GitAsync("update-ref", "refs/tags/" + tag, commit);
        }

        foreach (var pattern in new[] { "v*", "v1", "*", "release/*", "r*1", "v1?0", "[vx]*", "*/rc", "release", "v2/", "v2" })
        {
            var expected = await repo.GitLinesAsync("tag", "-l", pattern);
            var actual = tags.Where(t => RefPatterns.MatchesListPattern(Encoding.UTF8.GetBytes(pattern), Encoding.UTF8.GetBytes("refs/tags/" + t)))
                .Order(StringComparer.Ordinal).ToArray();
            Assert.True(expected.SequenceEqual(actual), $"pattern {pattern}: git [{string.Join(", ", expected)}] lode [{string.Join(", ", actual)}]");
        }
    }

    [Theory]
    [InlineData("foo", "foo", WildmatchFlags.None, true)]
    [InlineData("foo/*", "foo/bar/baz", WildmatchFlags.None, true)]
    [InlineData("foo/*", "foo/bar/baz", WildmatchFlags.PathName, false)]
    [InlineData("foo/**/baz", "foo/baz", WildmatchFlags.PathName, true)]
    [InlineData("foo/**/baz", "foo/a/b/baz", WildmatchFlags.PathName, true)]
    [InlineData("**/foo", "foo", WildmatchFlags.PathName, true)]
    [InlineData("*.c", "a/b.c", WildmatchFlags.PathName, false)]
    [InlineData("a[!b]c", "abc", WildmatchFlags.None, false)]
    [InlineData("a[!b]c", "axc", WildmatchFlags.None, true)]
    [InlineData("FOO", "foo", WildmatchFlags.CaseFold, true)]
    [InlineData("[[:xdigit:]]", "F", WildmatchFlags.None, true)]
    [InlineData("[[:nope:]]", "a", WildmatchFlags.None, false)]
    public void IsMatch_GitCases_AsWildmatchC(string pattern, string text, WildmatchFlags flags, bool expected) =>
        Assert.Equal(expected, Wildmatch.IsMatch(Encoding.UTF8.GetBytes(pattern), Encoding.UTF8.GetBytes(text), flags));
}
