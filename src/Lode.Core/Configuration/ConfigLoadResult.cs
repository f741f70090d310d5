namespace Lode.Core.Configuration;

/// <summary>
/// What loading a config file produced: the options, the problems found while reading (syntax and type errors),
/// keys that are valid Gitaly keys Lode accepts but does not act on yet, and keys nobody knows.
/// </summary>
public sealed record ConfigLoadResult(
    LodeOptions Options,
    IReadOnlyList<ConfigError> Errors,
    IReadOnlyList<string> NotActedOnKeys,
    IReadOnlyList<string> UnknownKeys);
