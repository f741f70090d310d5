using Lode.Core.Errors;
using Lode.Core.Storage;
using Lode.Git.Commands;

namespace Lode.Git.Objects;

/// <summary>
/// A repository's object hash: SHA-1 or SHA-256. Instances are singletons, so they compare by reference.
/// </summary>
public sealed class ObjectFormat
{
    public static readonly ObjectFormat Sha1 = new(
        "sha1", 20, "4b825dc642cb6eb9a060e54bf8d69288fbee4904", "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");

    public static readonly ObjectFormat Sha256 = new(
        "sha256", 32,
        "6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321",
        "473a0f4c3be8a93681a267e3b1e9a7dcda1185436fe141f7749120a303721813");

    private ObjectFormat(string name, int rawLength, string emptyTreeOid, string emptyBlobOid)
    {
        Name = name;
        RawLength = rawLength;
        EmptyTreeOid = emptyTreeOid;
        EmptyBlobOid = emptyBlobOid;
        ZeroOid = new string('0', HexLength);
    }

    /// <summary><c>sha1</c> or <c>sha256</c>, as in <c>extensions.objectFormat</c>.</summary>
    public string Name { get; }

    /// <summary>Length of a binary object id (as stored in tree objects).</summary>
    public int RawLength { get; }

    public int HexLength => RawLength * 2;

    /// <summary>The all-zero id git uses for "no object" in ref updates.</summary>
    public string ZeroOid { get; }

    public string EmptyTreeOid { get; }

    public string EmptyBlobOid { get; }

    /// <summary>The format named <paramref name="name"/>; null for an unknown name.</summary>
    public static ObjectFormat? FromName(string? name) => name switch
    {
        "sha1" => Sha1,
        "sha256" => Sha256,
        _ => null,
    };

    /// <summary>The format whose hex ids have <paramref name="length"/> characters; null for any other length.</summary>
    public static ObjectFormat? FromHexLength(int length) => length switch
    {
        40 => Sha1,
        64 => Sha256,
        _ => null,
    };

    /// <summary>
    /// The repository's object format: <c>extensions.objectFormat</c> of its own config file (git reads extensions
    /// only from there, never from includes), SHA-1 when absent. Many RPCs need this, so it is read in-process; a
    /// config Lode cannot read or a value it does not know is left to git to answer. The file is read synchronously: it
    /// is a few hundred bytes in the page cache, and .NET's asynchronous file reads are a thread-pool hop on Linux.
    /// </summary>
    public static async Task<ObjectFormat> DetectAsync(GitCommandFactory git, RepositoryPaths repository, CancellationToken cancellationToken)
    {
        try
        {
            var value = Housekeeping.GitConfigFile.Find(File.ReadAllLines(Path.Combine(repository.FullPath, "config")), "extensions", "objectformat");
            if (value is null)
            {
                return Sha1;
            }

            if (FromName(value.ToLowerInvariant()) is { } known)
            {
                return known;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Fall through to git, which reports the problem in its own words.
        }

        return await DetectWithGitAsync(git, repository, cancellationToken);
    }

    private static async Task<ObjectFormat> DetectWithGitAsync(GitCommandFactory git, RepositoryPaths repository, CancellationToken cancellationToken)
    {
        var output = await git.Create(repository, GitSubcommand.RevParse)
            .Flag("--show-object-format")
            .RunAsync(cancellationToken);
        var name = System.Text.Encoding.ASCII.GetString(output).TrimEnd('\n');
        return FromName(name)
            ?? throw LodeException.Internal("detect object format: unknown object format").With("object_format", name);
    }

    /// <summary>
    /// Whether <paramref name="hex"/> is a full object id of this format. Upper-case digits are accepted, as Gitaly's
    /// <c>ValidateHex</c> does; git itself always prints lower case.
    /// </summary>
    public bool IsValidHex(ReadOnlySpan<char> hex) => hex.Length == HexLength && !hex.ContainsAnyExcept(HexChars.Chars);

    /// <inheritdoc cref="IsValidHex(ReadOnlySpan{char})"/>
    public bool IsValidHex(ReadOnlySpan<byte> hex) => hex.Length == HexLength && !hex.ContainsAnyExcept(HexChars.Bytes);

    /// <summary>Whether <paramref name="hex"/> is this format's zero id.</summary>
    public bool IsZeroOid(ReadOnlySpan<char> hex) => hex.Length == HexLength && !hex.ContainsAnyExcept('0');

    public override string ToString() => Name;
}
