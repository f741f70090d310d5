using System.Text;
using Gitaly;
using Grpc.Core;
using Lode.Git.Licenses;
using Lode.TestKit;

namespace Lode.Server.Tests.Services.Repository;

public sealed class FindLicenseTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    /// <summary>The MIT text as choosealicense.com (and Gitaly's own tests) write it.</summary>
    private const string MitLicense = """
        MIT License

        Copyright (c) [year] [fullname]

        Permission is hereby granted, free of charge, to any person obtaining a copy
        of this software and associated documentation files (the "Software"), to deal
        in the Software without restriction, including without limitation the rights
        to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
        copies of the Software, and to permit persons to whom the Software is
        furnished to do so, subject to the following conditions:

        The above copyright notice and this permission notice shall be included in all
        copies or substantial portions of the Software.

        THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
        IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
        FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
        AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
        LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
        OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
        SOFTWARE.
        """;

    private static readonly Lazy<Dictionary<string, string>> Templates = new(LicenseDatabase.LoadTemplateTexts);

    [Theory]
    [InlineData("sha1")]
    [InlineData("sha256")]
    public async Task FindLicense_MitLicenseFile_Mit(string format)
    {
        var repo = await server.CreateRepoAsync(format);
        await repo.CommitAsync(branch: "main", files: new Dictionary<string, object> { ["LICENSE"] = MitLicense, ["README.md"] = "readme" });

        var reply = await CallAsync(repo);

        Assert.Equal(new FindLicenseResponse
        {
            LicenseShortName = "mit",
            LicenseName = "MIT License",
            LicenseUrl = "https://opensource.org/licenses/MIT",
            LicensePath = "LICENSE",
        }, reply);
    }

    /// <summary>
    /// Real texts from the SPDX data set, as a project would ship them: a copyright line of its own on top and the
    /// text wrapped at 72 columns. Deprecated SPDX ids win ties with their successors, as in Gitaly ("gpl-3.0").
    /// </summary>
    [Theory]
    [InlineData("MIT", "mit", "MIT License", "")]
    [InlineData("MIT-0", "mit-0", "MIT No Attribution", "")]
    [InlineData("Apache-2.0", "apache-2.0", "Apache License 2.0", "")]
    [InlineData("GPL-3.0-only", "gpl-3.0", "GNU General Public License v3.0 only", "GNU GPLv3")]
    [InlineData("GPL-2.0-only", "gpl-2.0", "GNU General Public License v2.0 only", "GNU GPLv2")]
    [InlineData("LGPL-3.0-only", "lgpl-3.0", "GNU Lesser General Public License v3.0 only", "GNU LGPLv3")]
    [InlineData("LGPL-2.1-only", "lgpl-2.1", "GNU Lesser General Public License v2.1 only", "GNU LGPLv2.1")]
    [InlineData("AGPL-3.0-only", "agpl-3.0", "GNU Affero General Public License v3.0", "GNU AGPLv3")]
    [InlineData("BSD-3-Clause", "bsd-3-clause", "BSD 3-Clause \"New\" or \"Revised\" License", "")]
    [InlineData("BSD-2-Clause", "bsd-2-clause", "BSD 2-Clause \"Simplified\" License", "")]
    [InlineData("BSD-3-Clause-Clear", "bsd-3-clause-clear", "BSD 3-Clause Clear License", "Clear BSD")]
    [InlineData("MPL-2.0", "mpl-2.0", "Mozilla Public License 2.0", "")]
    [InlineData("ISC", "isc", "ISC License", "")]
    [InlineData("Unlicense", "unlicense", "The Unlicense", "")]
    [InlineData("EPL-2.0", "epl-2.0", "Eclipse Public License 2.0", "")]
    [InlineData("BSL-1.0", "bsl-1.0", "Boost Software License 1.0", "")]
    public async Task FindLicense_RealLicenseText_IdentifiedWithGitalysFields(string spdxId, string shortName, string name, string nickname)
    {
        var repo = await server.CreateRepoAsync();
        var text = "Copyright (c) 2024 Jane Doe <jane@example.com>\n\n" + Wrap(Templates.Value[spdxId], 72);
        await repo.CommitAsync(branch: "main", files: new Dictionary<string, object> { ["LICENSE"] = text });

        var reply = await CallAsync(repo);

        Assert.Equal(shortName, reply.LicenseShortName);
        Assert.Equal(name, reply.LicenseName);
        Assert.Equal(nickname, reply.LicenseNickname);
        Assert.Equal("LICENSE", reply.LicensePath);
        Assert.Equal(LicenseDatabase.Shared.Licenses.First(l => l.Id.Equals(shortName, StringComparison.OrdinalIgnoreCase)).Url, reply.LicenseUrl);
    }

    [Fact]
    public async Task FindLicense_SlightlyModifiedMit_StillMit()
    {
        var repo = await server.CreateRepoAsync();
        var modified = MitLicense.Replace("free of charge", "without any charge", StringComparison.Ordinal);
        await repo.CommitAsync(branch: "main", files: new Dictionary<string, object> { ["LICENSE.txt"] = modified });

        var reply = await CallAsync(repo);

        Assert.Equal("mit", reply.LicenseShortName);
        Assert.Equal("LICENSE.txt", reply.LicensePath);
    }

    [Fact]
    public async Task FindLicense_HeavilyModifiedLicense_Other()
    {
        var repo = await server.CreateRepoAsync();
        var sentences = MitLicense.Split('\n');
        var mangled = string.Join('\n', sentences.Take(6)) + "\nYou may only use this software on Tuesdays, in a green room, with a cat watching.\n";
        await repo.CommitAsync(branch: "main", files: new Dictionary<string, object> { ["COPYING"] = mangled });

        var reply = await CallAsync(repo);

        Assert.Equal(Other("COPYING"), reply);
    }

    [Fact]
    public async Task FindLicense_UnknownLicense_Other()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main", files: new Dictionary<string, object> { ["LICENSE.md"] = "this doesn't match any known license" });

        var reply = await CallAsync(repo);

        Assert.Equal(Other("LICENSE.md"), reply);
    }

    [Fact]
    public async Task FindLicense_MarkdownLicense_Identified()
    {
        var repo = await server.CreateRepoAsync();
        var markdown = "# The MIT License (MIT)\n\n" + MitLicense.Replace("MIT License\n", string.Empty, StringComparison.Ordinal)
            .Replace("THE SOFTWARE IS PROVIDED", "**THE SOFTWARE IS PROVIDED**", StringComparison.Ordinal);
        await repo.CommitAsync(branch: "main", files: new Dictionary<string, object> { ["LICENSE.md"] = markdown });

        var reply = await CallAsync(repo);

        Assert.Equal("mit", reply.LicenseShortName);
        Assert.Equal("LICENSE.md", reply.LicensePath);
    }

    [Fact]
    public async Task FindLicense_OnlyTheLicenseUrl_IdentifiedByUrl()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main", files: new Dictionary<string, object>
        {
            ["LICENSE"] = "This project is distributed under the terms of https://www.apache.org/licenses/LICENSE-2.0 only.\n",
        });

        var reply = await CallAsync(repo);

        Assert.Equal("apache-2.0", reply.LicenseShortName);
    }

    [Fact]
    public async Task FindLicense_SeveralCandidates_BestMatchAndItsFile()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main", files: new Dictionary<string, object>
        {
            ["COPYING"] = Wrap(Templates.Value["GPL-3.0-only"], 79),
            ["LICENSE"] = "See COPYING for the terms; this note is not a license.",
        });

        var reply = await CallAsync(repo);

        Assert.Equal("gpl-3.0", reply.LicenseShortName);
        Assert.Equal("COPYING", reply.LicensePath);
    }

    [Fact]
    public async Task FindLicense_FileNamingAnotherFile_ThatFilesLicense()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main", files: new Dictionary<string, object> { ["mit.txt"] = MitLicense, ["LICENSE"] = "mit.txt" });

        var reply = await CallAsync(repo);

        Assert.Equal("mit", reply.LicenseShortName);
        Assert.Equal("mit.txt", reply.LicensePath);
    }

    [Fact]
    public async Task FindLicense_LicenseOnlyInSubdirectory_Empty()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main", files: new Dictionary<string, object> { ["legal/LICENSE"] = MitLicense, ["a.txt"] = "a" });

        Assert.Equal(new FindLicenseResponse(), await CallAsync(repo));
    }

    [Fact]
    public async Task FindLicense_LicenseMentionedInReadmeOnly_Empty()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main", files: new Dictionary<string, object> { ["README"] = "This project is released under MIT license" });

        Assert.Equal(new FindLicenseResponse(), await CallAsync(repo));
    }

    [Fact]
    public async Task FindLicense_DefaultBranchIsWhatCounts_HeadsTree()
    {
        var repo = await server.CreateRepoAsync();
        await repo.CommitAsync(branch: "main", files: new Dictionary<string, object> { ["LICENSE"] = MitLicense });
        await repo.CommitAsync(branch: "other", files: new Dictionary<string, object> { ["LICENSE"] = Templates.Value["Apache-2.0"] });

        Assert.Equal("mit", (await CallAsync(repo)).LicenseShortName);
        await repo.GitAsync("symbolic-ref", "HEAD", "refs/heads/other");
        Assert.Equal("apache-2.0", (await CallAsync(repo)).LicenseShortName);
    }

    [Fact]
    public async Task FindLicense_EmptyRepository_Empty()
    {
        var repo = await server.CreateRepoAsync();

        Assert.Equal(new FindLicenseResponse(), await CallAsync(repo));
    }

    [Fact]
    public async Task FindLicense_NoRepository_InvalidArgument()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => server.Repository.FindLicenseAsync(new FindLicenseRequest()).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    [Fact]
    public async Task FindLicense_MissingRepository_NotFound()
    {
        var request = new FindLicenseRequest { Repository = new Gitaly.Repository { StorageName = ServerFixture.StorageName, RelativePath = "gone.git" } };

        var e = await Assert.ThrowsAsync<RpcException>(() => server.Repository.FindLicenseAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    private async Task<FindLicenseResponse> CallAsync(TestRepo repo) =>
        await server.Repository.FindLicenseAsync(new FindLicenseRequest { Repository = ServerFixture.Proto(repo) });

    private static FindLicenseResponse Other(string path) => new()
    {
        LicenseShortName = "other",
        LicenseName = "Other",
        LicenseNickname = "LICENSE",
        LicensePath = path,
    };

    /// <summary>Re-wraps each paragraph at <paramref name="width"/> columns, as license files usually are.</summary>
    private static string Wrap(string text, int width)
    {
        var output = new StringBuilder();
        foreach (var paragraph in text.ReplaceLineEndings("\n").Split('\n'))
        {
            var column = 0;
            foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (column > 0 && column + 1 + word.Length > width)
                {
                    output.Append('\n');
                    column = 0;
                }
                else if (column > 0)
                {
                    output.Append(' ');
                    column++;
                }

                output.Append(word);
                column += word.Length;
            }

            output.Append('\n');
        }

        return output.ToString();
    }
}
