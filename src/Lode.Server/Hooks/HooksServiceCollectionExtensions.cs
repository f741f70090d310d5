using Lode.Core.Configuration;
using Lode.Git.Commands;
using Lode.Git.Hooks;
using Lode.Server.Gitlab;
using Lode.Server.Hosting;
using Lode.Server.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lode.Server.Hooks;

/// <summary>Registers what the hooks need: GitLab's internal API client, custom hooks, the transaction voter, the manager.</summary>
public static class HooksServiceCollectionExtensions
{
    /// <summary>
    /// Registers the hook services. With <c>[gitlab] url</c> set, the secret is read now, so that a missing or unreadable
    /// one stops startup, as in Gitaly.
    /// </summary>
    public static IServiceCollection AddLodeHooks(this IServiceCollection services, LodeOptions options)
    {
        if (!string.IsNullOrEmpty(options.Gitlab.Url))
        {
            _ = GitlabClientFactory.ReadSecret(options);
        }

        services.AddSingleton(sp => GitlabClientFactory.Create(options, ServerIdentity.ServerVersion, sp.GetRequiredService<MetricsRegistry>().Factory,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Lode.Server.Gitlab"), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ITransactionVoter, NoTransactionVoter>();
        services.AddSingleton(sp => new CustomHookRunner(sp.GetRequiredService<GitCommandFactory>()));
        services.AddSingleton<HookManager>();
        services.AddSingleton<InProcessPostReceive>();
        return services;
    }
}
