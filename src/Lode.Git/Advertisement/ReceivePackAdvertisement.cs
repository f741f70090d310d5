using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Lode.Core.Configuration;
using Lode.Core.Storage;
using Lode.Git.Commands;
using Lode.Git.Housekeeping;
using Lode.Git.Objects;
using Lode.Git.Refs;

namespace Lode.Git.Advertisement;

/// <summary>
/// receive-pack's ref advertisement (<c>git receive-pack --advertise-refs --stateless-rpc</c>) written in-process,
/// byte for byte what git writes, so that a push over HTTP starts one git process instead of two. Only the common case
/// is taken: a "files" ref store, no config that could change the advertisement (<see cref="AdvertisementConfig"/>),
/// refs that are plain object ids whose objects are found in the packs, loose objects or alternates. Anything else
/// goes to git as before. The capabilities line is git's own: it is learned from the first advertisement git writes
/// for each object format (and git binary), so it always matches the git the server runs.
/// </summary>
public sealed class ReceivePackAdvertisement : IDisposable
{
    private static readonly byte[] Version1 = PktLine.PktLine.Format("version 1\n");

    private readonly GitCommandFactory git;
    private readonly bool adminConfigAllows;
    private readonly string[] hiddenPrefixes;
    private readonly ConcurrentDictionary<string, byte[]> capabilities = new(StringComparer.Ordinal);

    // Pack indexes stay mapped between pushes: mapping them afresh was ~0.4 ms of page faults per advertisement.
    private readonly PackIndexCache packIndexes = new();

    public ReceivePackAdvertisement(GitCommandFactory git, LodeOptions options)
    {
        this.git = git;
        var hidden = HiddenPrefixes(GitSubcommand.ReceivePack.Config ?? []);
        hiddenPrefixes = hidden ?? [];
        adminConfigAllows = hidden is not null && AdvertisementConfig.Allows(options.Git.Config.Select(entry => entry.Key));
    }

    /// <summary>
    /// The advertisement for <paramref name="repository"/>, ready to send; or, when it must come from git, how to
    /// learn the capabilities from git's answer (when that answer is one Lode could have written itself).
    /// </summary>
    public AdvertisementAttempt Prepare(RepositoryPaths repository, IReadOnlyList<KeyValuePair<string, string>> requestConfig, string? gitProtocol)
    {
        if (!adminConfigAllows || repository.HasQuarantine || !AdvertisementConfig.Allows(requestConfig.Select(pair => pair.Key)))
        {
            return default;
        }

        if (ReadFormat(repository) is not { } format)
        {
            return default;
        }

        var key = CapabilityKey(format);
        if (key is null)
        {
            return default;
        }

        if (!capabilities.TryGetValue(key, out var known))
        {
            return new AdvertisementAttempt(null, new CapabilityLearner(this, key));
        }

        var refs = FilesRefReader.Read(repository.FullPath, format, hiddenPrefixes);
        if (refs is null || !FitInPackets(refs, format, known) || !AllPresent(repository, format, refs))
        {
            return default;
        }

        return new AdvertisementAttempt(new PreparedAdvertisement(refs, known, format, gitProtocol == GitProtocol.Version1), null);
    }

    /// <summary>
    /// The prefixes receive-pack hides (<c>receive.hideRefs</c> and <c>transfer.hideRefs</c> of Lode's own config),
    /// without their trailing slashes as git compares them; null if one uses the <c>!</c> or <c>^</c> forms.
    /// </summary>
    internal static string[]? HiddenPrefixes(IReadOnlyList<KeyValuePair<string, string>> config)
    {
        var prefixes = new List<string>();
        foreach (var (key, value) in config)
        {
            if (!key.Equals("receive.hideRefs", StringComparison.OrdinalIgnoreCase) && !key.Equals("transfer.hideRefs", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (value.StartsWith('!') || value.StartsWith('^'))
            {
                return null;
            }

            prefixes.Add(value.TrimEnd('/'));
        }

        return [.. prefixes];
    }

    /// <summary>The repository's object format when its config leaves the advertisement alone; else null.</summary>
    private static ObjectFormat? ReadFormat(RepositoryPaths repository)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(Path.Combine(repository.FullPath, "config"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        if (GitConfigFile.Keys(lines) is not { } keys || !AdvertisementConfig.Allows(keys))
        {
            return null;
        }

        if (GitConfigFile.Find(lines, "extensions", "objectformat") is not { } name)
        {
            return ObjectFormat.Sha1;
        }

        // git reads extensions only in repository format 1.
        return GitConfigFile.Find(lines, "core", "repositoryformatversion") == "1" ? ObjectFormat.FromName(name.ToLowerInvariant()) : null;
    }

    /// <summary>What the capabilities depend on besides the config checked above: object format and the git binary.</summary>
    private string? CapabilityKey(ObjectFormat format)
    {
        try
        {
            return format.Name + "\0" + File.GetLastWriteTimeUtc(git.GitPath).Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>git dies on a ref line longer than a packet; Lode leaves that to git too.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool FitInPackets(List<RefEntry> refs, ObjectFormat format, byte[] known)
    {
        foreach (var entry in refs)
        {
            if (format.HexLength + entry.Name.Length + known.Length + 3 > PktLine.PktLine.MaxDataLength)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>git leaves out a ref whose object is missing (and says so on stderr); such a repository is left to git.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool AllPresent(RepositoryPaths repository, ObjectFormat format, List<RefEntry> refs)
    {
        if (refs.Count == 0)
        {
            return true;
        }

        using var presence = ObjectPresence.Open(Path.Combine(repository.FullPath, "objects"), format, packIndexes);
        if (presence is null)
        {
            return false;
        }

        var checkedOids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in refs)
        {
            if (checkedOids.Add(entry.Oid) && !presence.Contains(entry.Oid))
            {
                return false;
            }
        }

        return true;
    }

    public void Dispose() => packIndexes.Dispose();

    private void Learn(string key, byte[] learned) => capabilities.TryAdd(key, learned);

    /// <summary>
    /// Watches the start of git's advertisement for its capabilities: the part after the NUL of the first ref line
    /// (after <c>version 1</c>, if any), without the newline.
    /// </summary>
    public sealed class CapabilityLearner(ReceivePackAdvertisement owner, string key)
    {
        private const int MaxWatched = 2 * PktLine.PktLine.MaxPacketLength;
        private readonly ArrayBufferWriter<byte> start = new();

        public void Observe(ReadOnlySpan<byte> data)
        {
            var room = MaxWatched - start.WrittenCount;
            if (room > 0)
            {
                start.Write(data[..Math.Min(room, data.Length)]);
            }
        }

        /// <summary>Called once git exited successfully.</summary>
        public void Complete()
        {
            var data = start.WrittenSpan;
            if (data.StartsWith(Version1))
            {
                data = data[Version1.Length..];
            }

            var length = data.Length < PktLine.PktLine.HeaderLength ? -1 : PktLine.PktLine.ParseHeader(data);
            if (length < PktLine.PktLine.HeaderLength || length > data.Length)
            {
                return;
            }

            var packet = data[PktLine.PktLine.HeaderLength..length];
            var nul = packet.IndexOf((byte)0);
            if (nul < 0 || packet[^1] != '\n')
            {
                return;
            }

            owner.Learn(key, packet[(nul + 1)..^1].ToArray());
        }
    }
}

/// <summary>What <see cref="ReceivePackAdvertisement.Prepare"/> found: the advertisement, or what to learn from git's.</summary>
public readonly record struct AdvertisementAttempt(PreparedAdvertisement? Ready, ReceivePackAdvertisement.CapabilityLearner? Learner);
