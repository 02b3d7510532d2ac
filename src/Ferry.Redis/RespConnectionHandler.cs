using Microsoft.AspNetCore.Connections;

namespace Ferry.Redis;

/// <summary>Kestrel's entry point for a RESP connection: Kestrel accepts, schedules and drains; Ferry speaks RESP.</summary>
public sealed class RespConnectionHandler(RespServer server) : ConnectionHandler
{
    /// <inheritdoc/>
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var resp = new RespConnection(server, connection);
        await resp.RunAsync().ConfigureAwait(false);
    }
}
