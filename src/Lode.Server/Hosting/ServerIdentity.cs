using System.Reflection;
using Lode.Git.Commands;

namespace Lode.Server.Hosting;

/// <summary>What the server says about itself: its version, git's version, and each storage's filesystem id.</summary>
public sealed class ServerIdentity(GitVersion gitVersion, IReadOnlyDictionary<string, string> filesystemIds)
{
    /// <summary>
    /// The Gitaly interface version Lode speaks, with Lode's own version as build metadata, so GitLab's version
    /// display reads a v18 server.
    /// </summary>
    public static string ServerVersion { get; } = "18.0.0+lode." +
        (typeof(ServerIdentity).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0");

    public GitVersion GitVersion => gitVersion;

    public string FilesystemId(string storageName) => filesystemIds.GetValueOrDefault(storageName, "");
}
