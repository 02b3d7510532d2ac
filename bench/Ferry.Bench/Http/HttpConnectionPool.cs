using System.Net;
using System.Threading.Channels;

namespace Ferry.Bench.Http;

/// <summary>
/// A fixed set of keep-alive connections to one endpoint. Load loops give each worker its own connection
/// (<see cref="Connections"/>); other callers rent one, use its response, and return it.
/// </summary>
internal sealed class HttpConnectionPool : IAsyncDisposable
{
    private readonly HttpConnection[] _connections;
    private readonly Channel<HttpConnection> _idle;

    private HttpConnectionPool(HttpConnection[] connections)
    {
        _connections = connections;
        _idle = Channel.CreateBounded<HttpConnection>(connections.Length);
        foreach (HttpConnection connection in connections)
        {
            _idle.Writer.TryWrite(connection);
        }
    }

    public IReadOnlyList<HttpConnection> Connections => _connections;

    public static async Task<HttpConnectionPool> OpenAsync(IPEndPoint endPoint, int count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var connecting = new Task<HttpConnection>[count];
        for (int i = 0; i < count; i++)
        {
            connecting[i] = HttpConnection.ConnectAsync(endPoint, cancellationToken);
        }

        return new HttpConnectionPool(await Task.WhenAll(connecting));
    }

    /// <summary>Waits for an idle connection; the caller owns it (and its last response) until <see cref="Return"/>.</summary>
    public ValueTask<HttpConnection> RentAsync(CancellationToken cancellationToken = default) => _idle.Reader.ReadAsync(cancellationToken);

    public void Return(HttpConnection connection)
    {
        if (!_idle.Writer.TryWrite(connection))
        {
            throw new InvalidOperationException("A connection was returned to the pool twice.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _idle.Writer.TryComplete();
        foreach (HttpConnection connection in _connections)
        {
            await connection.DisposeAsync();
        }
    }
}
