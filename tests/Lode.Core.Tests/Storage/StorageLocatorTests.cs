using Lode.Core.Configuration;
using Lode.Core.Errors;
using Lode.Core.Storage;

namespace Lode.Core.Tests.Storage;

/// <summary>
/// Spec §4.3: Gitaly's validation order, codes and messages for (storage, relative path). Every rejected request is
/// also checked to have left the disk untouched.
/// </summary>
public sealed class StorageLocatorTests : IDisposable
{
    private readonly TempDir temp = new();
    private readonly string storage;
    private readonly StorageLocator locator;

    public StorageLocatorTests()
    {
        storage = temp.Dir("storage");
        Repo("repo.git");
        Repo("group/project.git");
        Repo("no-objects.git", objects: false);
        Repo("no-refs.git", refs: false);
        Repo("no-head.git", head: false);
        temp.Dir("storage", "empty.git");
        temp.Dir("outside.git", "objects");
        locator = new StorageLocator([new StorageOptions("default", storage), new StorageOptions("gone", temp.Combine("gone"))]);
    }

    public void Dispose() => temp.Dispose();

    private void Repo(string relativePath, bool objects = true, bool refs = true, bool head = true)
    {
        var path = temp.Dir("storage", relativePath);
        if (objects)
        {
            Directory.CreateDirectory(Path.Combine(path, "objects"));
        }

        if (refs)
        {
            Directory.CreateDirectory(Path.Combine(path, "refs"));
        }

        if (head)
        {
            File.WriteAllText(Path.Combine(path, "HEAD"), "ref: refs/heads/main\n");
        }
    }

    public static TheoryData<string, string, bool, ErrorCode, string> Rejected => new()
    {
        // 1-3: what was asked for
        { "", "", true, ErrorCode.InvalidArgument, "repository not set" },
        { "", "", false, ErrorCode.InvalidArgument, "repository not set" },
        { "default", "", true, ErrorCode.InvalidArgument, "repository path not set" },
        { "", "repo.git", true, ErrorCode.InvalidArgument, "storage name not set" },
        { "nope", "repo.git", true, ErrorCode.InvalidArgument, "storage name not found" },
        { "Default", "repo.git", true, ErrorCode.InvalidArgument, "storage name not found" },
        // 4: the storage folder
        { "gone", "repo.git", true, ErrorCode.NotFound, "storage does not exist" },
        { "gone", "repo.git", false, ErrorCode.NotFound, "storage does not exist" },
        { "gone", "../escape", true, ErrorCode.NotFound, "storage does not exist" },
        { "gone", "+gitaly/tmp", true, ErrorCode.NotFound, "storage does not exist" },
        { "gone", "a/objects/../../..", true, ErrorCode.NotFound, "storage does not exist" },
        // 5: lexical escape, whether or not the repository must exist
        { "default", "..", false, ErrorCode.InvalidArgument, "relative path escapes root directory" },
        { "default", "../x", true, ErrorCode.InvalidArgument, "relative path escapes root directory" },
        { "default", "../x", false, ErrorCode.InvalidArgument, "relative path escapes root directory" },
        { "default", "../outside.git", false, ErrorCode.InvalidArgument, "relative path escapes root directory" },
        { "default", "a/../../x", false, ErrorCode.InvalidArgument, "relative path escapes root directory" },
        { "default", "/../x", false, ErrorCode.InvalidArgument, "relative path escapes root directory" },
        { "default", "../storage-other/x", false, ErrorCode.InvalidArgument, "relative path escapes root directory" },
        { "default", "a/b/../../../x", false, ErrorCode.InvalidArgument, "relative path escapes root directory" },
        { "default", "repo.git\0", true, ErrorCode.InvalidArgument, "relative path escapes root directory" },
        { "default", "new\0.git", false, ErrorCode.InvalidArgument, "relative path escapes root directory" },
        // 6: existence and shape of the repository
        { "default", "missing.git", true, ErrorCode.NotFound, "repository not found" },
        { "default", "group/missing.git", true, ErrorCode.NotFound, "repository not found" },
        { "default", "no-objects.git", true, ErrorCode.FailedPrecondition, "repository not valid: \"objects\" does not exist" },
        { "default", "no-refs.git", true, ErrorCode.FailedPrecondition, "repository not valid: \"refs\" does not exist" },
        { "default", "no-head.git", true, ErrorCode.FailedPrecondition, "repository not valid: \"HEAD\" does not exist" },
        { "default", "empty.git", true, ErrorCode.FailedPrecondition, "repository not valid: \"objects\" does not exist" },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Resolve_Rejected_CodeAndMessageAndNothingWritten(string storageName, string relativePath, bool mustExist, ErrorCode code, string message)
    {
        var before = temp.Snapshot();

        var e = Assert.Throws<LodeException>(() => locator.Resolve(storageName, relativePath, mustExist));

        Assert.Equal(code, e.Code);
        Assert.Equal(message, e.Message);
        Assert.Equal(before, temp.Snapshot());
    }

    public static TheoryData<string, bool, string> Allowed => new()
    {
        { "repo.git", true, "repo.git" },
        { "/repo.git", true, "repo.git" },
        { "//repo.git", true, "repo.git" },
        { "./repo.git", true, "repo.git" },
        { "repo.git/", true, "repo.git" },
        { "repo.git/.", true, "repo.git" },
        { "a/../repo.git", true, "repo.git" },
        { "group/../repo.git", true, "repo.git" },
        // Leaves the storage and comes back in: lexically inside, so allowed, as in Gitaly.
        { "repo.git/../../storage/repo.git", true, "repo.git" },
        { "group/project.git", true, "group/project.git" },
        { "group//project.git", true, "group/project.git" },
        { "/group/./project.git", true, "group/project.git" },
        { "new/project.git", false, "new/project.git" },
        { "../storage/new.git", false, "new.git" },
        { "@hashed/ab/cd/abcd.git", false, "@hashed/ab/cd/abcd.git" },
        { "weird name with spaces.git", false, "weird name with spaces.git" },
        { "..repo.git", false, "..repo.git" },
        { "repo.git..", false, "repo.git.." },
    };

    /// <summary>Lexically inside the storage but never a repository: the storage itself and the reserved +gitaly folder.</summary>
    [Theory]
    [InlineData(".")]
    [InlineData("/")]
    [InlineData("a/..")]
    [InlineData("+gitaly/tmp/x.git")]
    [InlineData("+gitaly")]
    public void Resolve_StorageRootOrReservedFolder_InvalidArgument(string relativePath)
    {
        var before = temp.Snapshot();

        var e = Assert.Throws<LodeException>(() => locator.Resolve("default", relativePath, mustExist: false));

        Assert.Equal(ErrorCode.InvalidArgument, e.Code);
        Assert.Equal("relative path does not name a repository", e.Message);
        Assert.Equal(before, temp.Snapshot());
    }

    [Theory]
    [MemberData(nameof(Allowed))]
    public void Resolve_Allowed_JoinedUnderStorageAndNothingWritten(string relativePath, bool mustExist, string expectedUnderStorage)
    {
        var before = temp.Snapshot();

        var paths = locator.Resolve("default", relativePath, mustExist);

        var expected = expectedUnderStorage.Length == 0 ? storage : Path.Combine(storage, expectedUnderStorage);
        Assert.Equal(expected, paths.FullPath);
        Assert.Equal("default", paths.StorageName);
        Assert.Equal(storage, paths.StorageRoot);
        Assert.Equal(relativePath, paths.RelativePath);
        Assert.False(paths.HasQuarantine);
        Assert.Equal(before, temp.Snapshot());
    }

    [Fact]
    public void Resolve_SymlinkInsideStorage_NotResolved()
    {
        // As Gitaly: the check is lexical; the storage layout is the server's own.
        Directory.CreateSymbolicLink(Path.Combine(storage, "link.git"), temp.Combine("outside.git"));

        var paths = locator.Resolve("default", "link.git", mustExist: false);

        Assert.Equal(Path.Combine(storage, "link.git"), paths.FullPath);
    }

    [Fact]
    public void Resolve_Quarantine_JoinedUnderRepository()
    {
        var paths = locator.Resolve("default", "repo.git", gitObjectDirectory: "objects/incoming-Abc123",
            gitAlternateObjectDirectories: ["objects", "./objects/incoming-Abc123/../other"]);

        var repo = Path.Combine(storage, "repo.git");
        Assert.True(paths.HasQuarantine);
        Assert.Equal(Path.Combine(repo, "objects", "incoming-Abc123"), paths.ObjectDirectory);
        Assert.Equal([Path.Combine(repo, "objects"), Path.Combine(repo, "objects", "other")], paths.AlternateObjectDirectories!);
    }

    [Fact]
    public void Resolve_EmptyQuarantineFields_NoQuarantine()
    {
        var paths = locator.Resolve("default", "repo.git", gitObjectDirectory: "", gitAlternateObjectDirectories: []);

        Assert.Null(paths.ObjectDirectory);
        Assert.Null(paths.AlternateObjectDirectories);
        Assert.False(paths.HasQuarantine);
    }

    public static TheoryData<string?, string[]?, string> EscapingQuarantines => new()
    {
        { "../no-refs.git/objects", null, "object directory escapes repository" },
        { "../../outside.git/objects", null, "object directory escapes repository" },
        { "/../objects", null, "object directory escapes repository" },
        { "objects/../../repo.git.evil", null, "object directory escapes repository" },
        { "objects\0", null, "object directory escapes repository" },
        { null, ["objects", "../group/project.git/objects"], "alternate object directory escapes repository" },
        { "objects/incoming-x", ["/../../../etc"], "alternate object directory escapes repository" },
        { null, ["objects\0"], "alternate object directory escapes repository" },
    };

    [Theory]
    [MemberData(nameof(EscapingQuarantines))]
    public void Resolve_QuarantineEscapingRepository_InvalidArgumentAndNothingWritten(string? objectDirectory, string[]? alternates, string message)
    {
        var before = temp.Snapshot();

        var e = Assert.Throws<LodeException>(() => locator.Resolve("default", "repo.git", gitObjectDirectory: objectDirectory,
            gitAlternateObjectDirectories: alternates));

        Assert.Equal(ErrorCode.InvalidArgument, e.Code);
        Assert.Equal(message, e.Message);
        Assert.Equal(before, temp.Snapshot());
    }

    [Fact]
    public void Resolve_ServerSideQuarantineOfThisRepository_Allowed()
    {
        var prefix = StorageDirectories.QuarantinePrefix("repo.git");
        var quarantine = Path.Combine(storage, "+gitaly", "tmp", prefix + "abc123");

        var paths = locator.Resolve("default", "repo.git", gitObjectDirectory: "../+gitaly/tmp/" + prefix + "abc123",
            gitAlternateObjectDirectories: ["objects", "../+gitaly/tmp/" + prefix + "abc123/sub"]);

        Assert.Matches("^quarantine-[0-9a-f]{16}-$", prefix);
        Assert.Equal(quarantine, paths.ObjectDirectory);
        Assert.Equal([Path.Combine(storage, "repo.git", "objects"), Path.Combine(quarantine, "sub")], paths.AlternateObjectDirectories!);
    }

    [Theory]
    [InlineData("../+gitaly/tmp/quarantine-0000000000000000-abc")]
    [InlineData("../+gitaly/tmp/other-dir")]
    [InlineData("../+gitaly/cache/x")]
    public void Resolve_OtherTempFolder_Refused(string objectDirectory)
    {
        var e = Assert.Throws<LodeException>(() => locator.Resolve("default", "repo.git", gitObjectDirectory: objectDirectory));

        Assert.Equal(ErrorCode.InvalidArgument, e.Code);
        Assert.Equal("object directory escapes repository", e.Message);
    }

    [Fact]
    public void Resolve_QuarantinePrefixOfAnotherRepository_Refused()
    {
        var other = StorageDirectories.QuarantinePrefix("group/project.git");

        var e = Assert.Throws<LodeException>(() => locator.Resolve("default", "repo.git", gitObjectDirectory: "../+gitaly/tmp/" + other + "x"));

        Assert.Equal(ErrorCode.InvalidArgument, e.Code);
    }

    [Fact]
    public void Resolve_RepositoryEscapes_MetadataNamesThePath()
    {
        var e = Assert.Throws<LodeException>(() => locator.Resolve("default", "../x"));

        Assert.Contains(new KeyValuePair<string, string>("relative_path", "../x"), e.Metadata);
    }

    [Fact]
    public void GetStorageRoot_Known_ReturnsCleanRoot()
    {
        var withSlash = new StorageLocator([new StorageOptions("default", storage + "/./")]);

        Assert.Equal(storage, withSlash.GetStorageRoot("default"));
        Assert.Equal(["default", "gone"], locator.StorageNames);
    }

    [Theory]
    [InlineData("", ErrorCode.InvalidArgument, "storage name not set")]
    [InlineData("nope", ErrorCode.InvalidArgument, "storage name not found")]
    [InlineData("gone", ErrorCode.NotFound, "storage does not exist")]
    public void GetStorageRoot_Bad_CodeAndMessage(string name, ErrorCode code, string message)
    {
        var e = Assert.Throws<LodeException>(() => locator.GetStorageRoot(name));

        Assert.Equal(code, e.Code);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Constructor_DuplicateStorageName_FirstWins()
    {
        var other = temp.Dir("other");
        var duplicate = new StorageLocator([new StorageOptions("default", storage), new StorageOptions("default", other)]);

        Assert.Equal(storage, duplicate.GetStorageRoot("default"));
    }

    [Theory]
    [InlineData("/srv/storage", "a", "/srv/storage/a")]
    [InlineData("/srv/storage", "", "/srv/storage")]
    [InlineData("/srv/storage", ".", "/srv/storage")]
    [InlineData("/srv/storage", "a/..", "/srv/storage")]
    [InlineData("/srv/storage", "../storage/a", "/srv/storage/a")]
    [InlineData("/srv/storage/", "/a/b/", "/srv/storage/a/b")]
    [InlineData("/srv//storage", "a", "/srv/storage/a")]
    [InlineData("/", "a", "/a")]
    [InlineData("/", "../a", "/a")]
    [InlineData("/srv/storage", "..", null)]
    [InlineData("/srv/storage", "../storage2/a", null)]
    [InlineData("/srv/storage", "../stor", null)]
    [InlineData("/srv/storage", "a\0", null)]
    public void JoinInside_Lexical_MatchesGoFilepathJoin(string baseDir, string relative, string? expected)
    {
        Assert.Equal(expected, StorageLocator.JoinInside(baseDir, relative));
    }

    [Fact]
    public void ValidateRepository_HeadIsDirectoryOrRefsIsFile_StillAccepted()
    {
        // Gitaly only stats the entries; their types are git's business.
        var path = temp.Dir("storage", "odd.git");
        Directory.CreateDirectory(Path.Combine(path, "objects"));
        File.WriteAllText(Path.Combine(path, "refs"), "");
        Directory.CreateDirectory(Path.Combine(path, "HEAD"));

        StorageLocator.ValidateRepository(path);
    }

    [Fact]
    public void RepositoryPaths_CacheKey_DiffersWithQuarantine()
    {
        var plain = locator.Resolve("default", "repo.git");
        var quarantined = locator.Resolve("default", "repo.git", gitObjectDirectory: "objects/incoming-1");

        Assert.NotEqual(plain.CacheKey, quarantined.CacheKey);
        Assert.Equal(plain.CacheKey, locator.Resolve("default", "repo.git").CacheKey);
    }
}
