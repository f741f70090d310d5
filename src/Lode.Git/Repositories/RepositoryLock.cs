using Lode.Core.Errors;

namespace Lode.Git.Repositories;

/// <summary>
/// <c>&lt;repository&gt;.lock</c>, created exclusively, so that creating and removing a repository cannot race: only
/// one of them holds the lock at a time. Dispose releases it.
/// </summary>
public sealed class RepositoryLock : IDisposable
{
    private readonly FileStream stream;

    private RepositoryLock(string path, FileStream stream)
    {
        Path = path;
        this.stream = stream;
    }

    public string Path { get; }

    public static RepositoryLock Acquire(string repositoryPath)
    {
        var path = repositoryPath.TrimEnd('/') + ".lock";
        try
        {
            var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None);
            return new RepositoryLock(path, stream);
        }
        catch (IOException e) when (e is not DirectoryNotFoundException and not PathTooLongException)
        {
            // The lock existed when we tried, even if its holder has released it since: we lost the race.
            throw LodeException.FailedPrecondition("repository is already locked").With("lock_path", path);
        }
    }

    public void Dispose()
    {
        stream.Dispose();
        File.Delete(Path);
    }
}
