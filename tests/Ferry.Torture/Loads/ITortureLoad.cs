namespace Ferry.Torture.Loads;

/// <summary>One kind of traffic: it creates its resources, runs workers that keep a client-side ledger of every
/// acknowledged operation while the server is killed and restarted, and at the end checks the server against it.</summary>
internal interface ITortureLoad
{
    string Name { get; }

    /// <summary>Creates the resources (before the first kill).</summary>
    Task SetUpAsync(ServerLink.Endpoints server, CancellationToken cancellationToken);

    /// <summary>Runs the workers until <paramref name="stop"/>; an operation in flight then is left unknown.</summary>
    Task RunAsync(ServerLink link, CancellationToken stop);

    /// <summary>Reads back what the server holds and checks every promise; the server is up and stays up.</summary>
    Task VerifyAsync(ServerLink.Endpoints server, CancellationToken cancellationToken);
}
