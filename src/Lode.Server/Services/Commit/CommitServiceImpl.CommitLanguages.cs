using System.Text;
using Gitaly;
using Grpc.Core;
using Lode.Core.Errors;
using Lode.Core.Storage;
using Lode.Git.Attributes;
using Lode.Git.CatFile;
using Lode.Git.Commands;
using Lode.Git.Linguist;
using Lode.Git.Objects;
using Lode.Git.Refs;

namespace Lode.Server.Services.Commit;

internal sealed partial class CommitServiceImpl
{
    /// <summary>How much of each blob language and generated-file detection look at, as in Gitaly.</summary>
    private const int LinguistSniffLength = 2048;

    /// <summary>Blobs requested from cat-file ahead of the one being read.</summary>
    private const int LinguistWindow = 128;

    private static readonly string[] LinguistAttributes =
    [
        "linguist-documentation", "linguist-detectable", "linguist-generated", "linguist-vendored", "linguist-language",
    ];

    /// <summary>
    /// The languages of a revision's tree and their share of its bytes, as Gitaly computes them with go-enry:
    /// every blob except documentation and vendored paths is read (its first 2 KiB decide), generated files are
    /// skipped, and only programming and markup languages count, unless <c>.gitattributes</c> says otherwise
    /// (<c>linguist-language</c>, <c>-vendored</c>, <c>-documentation</c>, <c>-generated</c>, <c>-detectable</c>).
    /// Gitaly caches the result in the repository (hence MUTATOR); Lode computes it each time.
    /// </summary>
    public override async Task<CommitLanguagesResponse> CommitLanguages(CommitLanguagesRequest request, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var repository = resolver.Resolve(request.Repository);
        RevisionValidator.Validate(request.Revision.Span, allowEmpty: true);

        var revision = request.Revision.ToStringUtf8();
        if (revision.Length == 0)
        {
            await using var lease = await objects.GetAsync(repository, context);
            revision = Encoding.UTF8.GetString(await DefaultBranch.ResolveAsync(git, repository, lease.Reader, cancellationToken));
        }

        var commitId = await LookupRevisionAsync(repository, revision, cancellationToken);
        var totals = await LanguageTotalsAsync(repository, commitId, context);

        var response = new CommitLanguagesResponse();
        if (totals.Count == 0)
        {
            return response;
        }

        ulong total = 0;
        foreach (var bytes in totals.Values)
        {
            total += bytes;
        }

        if (total == 0)
        {
            throw LodeException.Internal("linguist stats added up to zero");
        }

        foreach (var (language, bytes) in totals)
        {
            response.Languages.Add(new CommitLanguagesResponse.Types.Language
            {
                Name = language,
                Share = (float)(100 * bytes) / total,
                Color = LanguageCatalog.ColorOf(language),
                Bytes = bytes,
                LanguageId = LanguageCatalog.IdOf(language),
            });
        }

        // Gitaly sorts by share only (ties in map order); ties go by name here so that answers are stable.
        var sorted = response.Languages.OrderByDescending(static l => l.Share).ThenBy(static l => l.Name, StringComparer.Ordinal).ToList();
        response.Languages.Clear();
        response.Languages.Add(sorted);
        return response;
    }

    /// <summary>
    /// Gitaly's revision lookup: <c>git rev-parse</c>; when git warns that a name is ambiguous (a tag and a branch
    /// both called "x"), the branch is taken.
    /// </summary>
    private async Task<string> LookupRevisionAsync(RepositoryPaths repository, string revision, CancellationToken cancellationToken)
    {
        var (oid, ambiguous) = await RevParseAsync(repository, revision, cancellationToken);
        if (!ambiguous)
        {
            return oid;
        }

        var refs = await git.Create(repository, GitSubcommand.ForEachRef)
            .Flag("--format=%(refname)")
            .EndOfOptions()
            .Arg("**/" + revision)
            .RunAsync(cancellationToken);
        foreach (var name in Encoding.UTF8.GetString(refs).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (name.StartsWith("refs/heads", StringComparison.Ordinal))
            {
                return (await RevParseAsync(repository, name, cancellationToken)).Oid;
            }
        }

        throw LodeException.Internal("looking up revision: branch " + revision + " not found");
    }

    private async Task<(string Oid, bool Ambiguous)> RevParseAsync(RepositoryPaths repository, string revision, CancellationToken cancellationToken)
    {
        // No --end-of-options: rev-parse of git < 2.43 prints it back as an argument. The revision was validated
        // (it cannot start with '-'), and an empty one fails as in Gitaly.
        var (exitCode, stdout, stderr) = await git.Create(repository, GitSubcommand.RevParse)
            .Arg(revision)
            .RunUncheckedAsync(cancellationToken);
        if (exitCode != 0)
        {
            var firstLine = stderr.Split('\n')[0];
            throw LodeException.Internal($"looking up revision: exit status {exitCode}: {firstLine}");
        }

        var ambiguous = stderr.EndsWith("refname '" + revision + "' is ambiguous.\n", StringComparison.Ordinal);
        return (Encoding.ASCII.GetString(stdout).TrimEnd('\n'), ambiguous);
    }

    /// <summary>Bytes per language over the blobs of the tree of <paramref name="commitId"/>.</summary>
    private async Task<Dictionary<string, ulong>> LanguageTotalsAsync(RepositoryPaths repository, string commitId, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var blobs = new List<LsTreeEntry>();
        var attributeFiles = new List<(byte[] Path, string Oid)>();
        await using (var lsTree = await git.Create(repository, GitSubcommand.LsTree)
            .Flags("-r", "-z")
            .EndOfOptions()
            .Arg(commitId)
            .StartAsync(cancellationToken))
        {
            await foreach (var record in DelimitedRecords.ReadAsync(lsTree.StdoutReader, 0, cancellationToken))
            {
                var entry = LsTreeEntry.Parse(record);
                if (entry.Type != ObjectTypes.Blob)
                {
                    continue;
                }

                blobs.Add(entry);
                var name = entry.Path.AsSpan(entry.Path.AsSpan().LastIndexOf((byte)'/') + 1);
                if (name.SequenceEqual(".gitattributes"u8))
                {
                    attributeFiles.Add((entry.Path, entry.Oid));
                }
            }

            var exitCode = await lsTree.WaitAsync(cancellationToken);
            if (exitCode != 0)
            {
                throw LodeException.Internal("language stats: ls-tree: exit status " + exitCode).With("stderr", lsTree.Stderr);
            }
        }

        var attributes = await TreeAttributes.CheckAsync(git, repository, attributeFiles, [.. blobs.Select(static b => b.Path)],
            LinguistAttributes, cancellationToken);

        // Documentation and vendored files are skipped before their content is read.
        var candidates = new List<(string Path, string Oid, Dictionary<string, string>? Attributes)>();
        for (var i = 0; i < blobs.Count; i++)
        {
            var path = Encoding.UTF8.GetString(blobs[i].Path);
            var attrs = attributes?[i];
            if (!Decide(attrs, "linguist-documentation", () => PathClassifier.IsDocumentation(path)) &&
                !Decide(attrs, "linguist-vendored", () => PathClassifier.IsVendored(path)))
            {
                candidates.Add((path, blobs[i].Oid, attrs));
            }
        }

        var totals = new Dictionary<string, ulong>(StringComparer.Ordinal);
        await using var lease = await objects.GetAsync(repository, context);
        var sniff = new byte[LinguistSniffLength];
        for (var start = 0; start < candidates.Count; start += LinguistWindow)
        {
            var count = Math.Min(LinguistWindow, candidates.Count - start);
            using var queue = lease.Reader.CreateQueue();
            for (var i = start; i < start + count; i++)
            {
                queue.RequestContents(candidates[i].Oid);
            }

            queue.Flush();
            for (var i = start; i < start + count; i++)
            {
                var (path, oid, attrs) = candidates[i];
                await using var content = await queue.OpenObjectAsync(cancellationToken)
                    ?? throw LodeException.Internal("language stats: blob not found").With("oid", oid);
                var size = content.Length;
                var length = await ReadUpToAsync(content, sniff, cancellationToken);
                await content.CopyToAsync(Stream.Null, cancellationToken);

                if (Decide(attrs, "linguist-generated", () => GeneratedFiles.IsGenerated(path, sniff.AsSpan(0, length))))
                {
                    continue;
                }

                var language = attrs is not null && attrs.TryGetValue("linguist-language", out var forced)
                    ? forced
                    : LanguageDetector.GetLanguage(path, sniff.AsSpan(0, length));
                if (language.Length == 0 || IsIgnoredLanguage(attrs, language))
                {
                    continue;
                }

                totals[language] = totals.GetValueOrDefault(language) + (ulong)size;
            }
        }

        return totals;
    }

    /// <summary>An attribute that is set or unset decides; otherwise Linguist's own rule does.</summary>
    private static bool Decide(Dictionary<string, string>? attributes, string name, Func<bool> fallback)
    {
        if (attributes is not null && attributes.TryGetValue(name, out var state))
        {
            if (state == "unset")
            {
                return false;
            }

            if (state == "set")
            {
                return true;
            }
        }

        return fallback();
    }

    /// <summary>Only programming and markup languages count, unless <c>linguist-detectable</c> says otherwise.</summary>
    private static bool IsIgnoredLanguage(Dictionary<string, string>? attributes, string language)
    {
        if (attributes is not null && attributes.TryGetValue("linguist-detectable", out var state))
        {
            if (state == "set")
            {
                return false;
            }

            if (state == "unset")
            {
                return true;
            }
        }

        var type = LanguageCatalog.TypeOf(language);
        return type is not (LanguageType.Programming or LanguageType.Markup);
    }

    private static async Task<int> ReadUpToAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }
}
