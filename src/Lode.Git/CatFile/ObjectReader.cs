using System.IO.Pipelines;
using Lode.Core.Storage;
using Lode.Git.Commands;

namespace Lode.Git.CatFile;

/// <summary>
/// One long-lived <c>git cat-file --batch-command --buffer</c> process answering <c>info</c> and <c>contents</c>
/// queries (spec §5.4), usually leased from <see cref="CatFileCache"/>.
/// </summary>
/// <remarks>
/// <para>One caller at a time: results come back in request order on one pipe, so the reader is not thread-safe
/// (concurrent use is detected and refused). The single-object methods send one request and read its answer;
/// <see cref="CreateQueue"/> pipelines many.</para>
/// <para>The process outlives any one call, so it is not bound to a call's token. A call that is cancelled or fails
/// part-way leaves the output stream at an unknown position: the reader then kills its process and reports
/// <see cref="IsDirty"/>, and the cache discards it.</para>
/// </remarks>
public sealed partial class ObjectReader : IAsyncDisposable
{
    /// <summary>git 2.40 made <c>cat-file --batch --use-mailmap</c> report the size of the rewritten object.</summary>
    private static readonly GitVersion MailmapSizeFixed = new(2, 40, 0, "2.40.0");

    private readonly GitProcess process;
    private readonly CancellationTokenSource lifetime;
    private readonly PipeReader stdout;
    private readonly CatFileRequestWriter requests;
    private readonly bool nulOutput;
    private readonly byte delimiter;
    private readonly CatFileMetrics? metrics;
    private readonly Queue<CatFileRequestKind> outstanding = new();

    /// <summary>How many of <see cref="outstanding"/>, counted from the head, a <c>flush</c> was sent after.</summary>
    private int flushed;

    /// <summary>Contents were read to their end but the delimiter after them is not consumed yet.</summary>
    private bool trailerPending;

    /// <summary>
    /// Set only for mailmap readers on git &lt; 2.40, whose <c>--batch --use-mailmap</c> header gives the size before
    /// the identities were rewritten, so the header cannot frame commits and tags. Each <c>contents</c> request is
    /// then followed by <c>info &lt;sentinel&gt;</c>, a random id that is never found, and a commit or tag ends where
    /// <c>LF &lt;sentinel&gt; missing LF</c> appears. Being random, the sentinel cannot be planted in a commit message.
    /// </summary>
    private readonly byte[]? sentinel;

    /// <summary>The sentinel's "missing" line after the last contents answer is not consumed yet.</summary>
    private bool sentinelPending;

    private ObjectContentStream? openStream;
    private ObjectQueue? activeQueue;
    private volatile bool poisoned;
    private int busy;
    private int disposed;

    private ObjectReader(GitProcess process, CancellationTokenSource lifetime, RepositoryPaths repository, bool useMailmap,
        bool nulOutput, byte[]? sentinel, CatFileMetrics? metrics)
    {
        this.process = process;
        this.lifetime = lifetime;
        this.nulOutput = nulOutput;
        this.metrics = metrics;
        Repository = repository;
        UsesMailmap = useMailmap;
        delimiter = nulOutput ? (byte)0 : (byte)'\n';
        this.sentinel = sentinel;
        stdout = process.StdoutReader;
        requests = new CatFileRequestWriter(process.Stdin, lifetime.Token);
    }

    public RepositoryPaths Repository { get; }

    /// <summary>Whether identities in commits and tags are rewritten through the repository's mailmap.</summary>
    public bool UsesMailmap { get; }

    /// <summary>
    /// True when the reader cannot serve another request: a read failed or was cancelled, a stream or queue was
    /// given up with output unread, or git exited.
    /// </summary>
    public bool IsDirty => poisoned || outstanding.Count > 0 || openStream is not null || process.HasExited;

    /// <summary>The git process id, so tests can tell whether the cache reused a process.</summary>
    internal int ProcessId => process.Id;

    internal bool ProcessExited => process.HasExited;

    /// <summary>Starts a reader for <paramref name="repository"/>; <paramref name="cancellationToken"/> bounds the start only.</summary>
    public static Task<ObjectReader> StartAsync(GitCommandFactory git, RepositoryPaths repository, bool useMailmap,
        CancellationToken cancellationToken) => StartAsync(git, repository, useMailmap, null, cancellationToken);

    internal static async Task<ObjectReader> StartAsync(GitCommandFactory git, RepositoryPaths repository, bool useMailmap,
        CatFileMetrics? metrics, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // -z makes the input NUL-terminated so revisions may hold any byte but NUL. -Z (git >= 2.42) terminates the
        // output with NUL too, which frees revisions from the LF restriction (see CatFileProtocol.ValidateRevision).
        var nulOutput = git.Version.SupportsCatFileNulOutput;
        var command = git.Create(repository, GitSubcommand.CatFile)
            .Flags("--batch-command", "--buffer", nulOutput ? "-Z" : "-z")
            .WithStdin();
        if (useMailmap)
        {
            command.Flag("--use-mailmap");
        }

        var lifetime = new CancellationTokenSource();
        GitProcess? process = null;
        try
        {
            // The process serves many calls, so it is bound to the reader's own lifetime token: a request's token
            // would kill it when that request ends. The request's token only cancels the start itself.
            using (cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), lifetime))
            {
                process = await command.StartAsync(lifetime.Token);
            }

            cancellationToken.ThrowIfCancellationRequested();
            var sentinel = useMailmap && git.Version.CompareTo(MailmapSizeFixed) < 0
                ? System.Text.Encoding.ASCII.GetBytes(Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20)))
                : null;
            return new ObjectReader(process, lifetime, repository, useMailmap, nulOutput, sentinel, metrics);
        }
        catch
        {
            if (process is not null)
            {
                await process.DisposeAsync();
            }

            lifetime.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            throw;
        }
    }

    /// <summary>The object's id, type and size; null when the revision does not resolve (or is ambiguous).</summary>
    public Task<ObjectInfo?> InfoAsync(string revision, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        EnsureIdle();
        Enqueue(CatFileRequestKind.Info, revision);
        return ReadInfoCoreAsync(cancellationToken);
    }

    /// <inheritdoc cref="InfoAsync(string, CancellationToken)"/>
    public Task<ObjectInfo?> InfoAsync(ReadOnlyMemory<byte> revision, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        EnsureIdle();
        Enqueue(CatFileRequestKind.Info, revision.Span);
        return ReadInfoCoreAsync(cancellationToken);
    }

    /// <summary>The whole object in a pooled buffer (dispose it); null when the revision does not resolve.</summary>
    public Task<GitObject?> ReadAsync(string revision, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        EnsureIdle();
        Enqueue(CatFileRequestKind.Contents, revision);
        return ReadObjectCoreAsync(cancellationToken);
    }

    /// <inheritdoc cref="ReadAsync(string, CancellationToken)"/>
    public Task<GitObject?> ReadAsync(ReadOnlyMemory<byte> revision, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        EnsureIdle();
        Enqueue(CatFileRequestKind.Contents, revision.Span);
        return ReadObjectCoreAsync(cancellationToken);
    }

    /// <summary>
    /// Reads an object that must be of <paramref name="expectedType"/>; null when it does not exist, and
    /// <see cref="ObjectTypeMismatchException"/> (NotFound) when it has another type.
    /// </summary>
    public async Task<GitObject?> ReadAsync(string revision, string expectedType, CancellationToken cancellationToken)
    {
        var result = await ReadAsync(revision, cancellationToken);
        if (result is null || result.Type == expectedType)
        {
            return result;
        }

        result.Dispose();
        throw new ObjectTypeMismatchException(result.Oid, expectedType, result.Type);
    }

    /// <summary>
    /// Opens the object's content as a stream of exactly <see cref="ObjectInfo.Size"/> bytes, for blobs too large to
    /// buffer. Read it to the end before the next request; disposing it early makes the reader dirty.
    /// </summary>
    public Task<ObjectContentStream?> OpenAsync(string revision, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        EnsureIdle();
        Enqueue(CatFileRequestKind.Contents, revision);
        return OpenObjectCoreAsync(cancellationToken);
    }

    /// <inheritdoc cref="OpenAsync(string, CancellationToken)"/>
    public Task<ObjectContentStream?> OpenAsync(ReadOnlyMemory<byte> revision, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        EnsureIdle();
        Enqueue(CatFileRequestKind.Contents, revision.Span);
        return OpenObjectCoreAsync(cancellationToken);
    }

    /// <summary>
    /// Starts a pipelined batch: queue many requests, then read the results in the same order. Only one queue at a
    /// time, and the single-object methods are refused while it has unread results.
    /// </summary>
    public ObjectQueue CreateQueue()
    {
        EnsureIdle();
        activeQueue = new ObjectQueue(this);
        return activeQueue;
    }

    /// <summary>Kills the process and waits until it is reaped.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        poisoned = true;
        lifetime.Cancel();
        await process.DisposeAsync();
        await requests.Completion;
        lifetime.Dispose();
    }
}
