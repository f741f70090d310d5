using Lode.Core.Configuration;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Lode.Server.Gitlab;

/// <summary>
/// Builds the server's <see cref="IGitlabClient"/> from its config: none configured (<c>[gitlab] url</c> unset) gives the
/// standalone client; otherwise the secret must be readable, as at Gitaly's startup.
/// </summary>
public static class GitlabClientFactory
{
    public static IGitlabClient Create(LodeOptions options, string version, IMetricFactory? metrics, ILogger logger, TimeProvider time)
    {
        if (string.IsNullOrEmpty(options.Gitlab.Url))
        {
            return StandaloneGitlabClient.Instance;
        }

        var latency = metrics?.CreateHistogram("gitaly_gitlab_api_latency_seconds",
            "Latency between posting to GitLab's `/internal/` APIs and receiving a response",
            new HistogramConfiguration { LabelNames = ["endpoint"], Buckets = [.. options.Prometheus.GrpcLatencyBuckets] });
        return new GitlabHttpClient(options.Gitlab, options.Tls, ReadSecret(options), version, latency, logger, time);
    }

    /// <summary><c>[gitlab] secret</c>, else the content of the secret file; whitespace is trimmed when signing.</summary>
    public static string ReadSecret(LodeOptions options)
    {
        if (!string.IsNullOrEmpty(options.Gitlab.Secret))
        {
            return options.Gitlab.Secret;
        }

        var file = GitlabDefaults.SecretFile(options) ?? throw new InvalidOperationException("GitLab secret not configured");
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException("reading secret file: " + e.Message, e);
        }
    }
}
