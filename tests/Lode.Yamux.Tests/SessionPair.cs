namespace Lode.Yamux.Tests;

/// <summary>A client and a server session connected to each other; disposing closes both and waits (bounded).</summary>
internal sealed class SessionPair : IAsyncDisposable
{
    private SessionPair(YamuxSession client, YamuxSession server, Stream clientTransport, Stream serverTransport)
    {
        Client = client;
        Server = server;
        ClientTransport = clientTransport;
        ServerTransport = serverTransport;
    }

    public YamuxSession Client { get; }

    public YamuxSession Server { get; }

    /// <summary>The client's raw transport, for closing it under the session.</summary>
    public Stream ClientTransport { get; }

    public Stream ServerTransport { get; }

    public static async Task<SessionPair> CreateAsync(TransportKind kind = TransportKind.Tcp, YamuxOptions? client = null,
        YamuxOptions? server = null, int seed = 0)
    {
        var (a, b) = await TransportPair.CreateAsync(kind, seed);
        return Create(a, b, client, server);
    }

    public static SessionPair Create(Stream clientTransport, Stream serverTransport, YamuxOptions? client = null, YamuxOptions? server = null) =>
        new(YamuxSession.Client(clientTransport, client ?? TestOptions.Default), YamuxSession.Server(serverTransport, server ?? TestOptions.Default),
            clientTransport, serverTransport);

    /// <summary>Opens a stream on <paramref name="opener"/> and accepts it on the other session.</summary>
    public async Task<(YamuxStream Opened, YamuxStream Accepted)> OpenAsync(YamuxSession opener)
    {
        var acceptor = ReferenceEquals(opener, Client) ? Server : Client;
        var accepting = acceptor.AcceptStreamAsync(CancellationToken.None);
        var opened = await opener.OpenStreamAsync(CancellationToken.None).Within();
        var accepted = await accepting.Within();
        Assert.NotNull(accepted);
        return (opened, accepted);
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Client.CloseAsync(), Server.CloseAsync()).Within();
    }
}
