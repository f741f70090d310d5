using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lode.Server.Backchannel;

/// <summary>Adds <see cref="BackchannelMiddleware"/> to a gRPC listener (after TLS, if the listener has it).</summary>
public static class BackchannelListenOptionsExtensions
{
    public static ListenOptions UseBackchannel(this ListenOptions listenOptions)
    {
        listenOptions.Use(next =>
        {
            var middleware = new Lazy<BackchannelMiddleware>(() => new BackchannelMiddleware(next,
                listenOptions.ApplicationServices.GetRequiredService<BackchannelRegistry>(),
                listenOptions.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Lode.Server.Backchannel")));
            return connection => middleware.Value.OnConnectionAsync(connection);
        });
        return listenOptions;
    }
}
