namespace Ferry.Torture;

/// <summary>Where the server is now, shared by every worker: it moves to new ports at each restart, and is down
/// between a kill and the next start.</summary>
/// <remarks>The run marks the link down before it kills the server, so a failure seen while the link is still up in the
/// same generation was not caused by a kill: the workers report it.</remarks>
internal sealed class ServerLink
{
    private readonly Lock _lock = new();
    private TaskCompletionSource<Endpoints> _up = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The server's ports in one generation (one process).</summary>
    public sealed record Endpoints(int Generation, Uri Http, int RedisPort);

    /// <summary>The endpoints once the server is up.</summary>
    public Task<Endpoints> WaitUpAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return _up.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Whether the server of <paramref name="generation"/> is still the one up (not killed since).</summary>
    public bool IsUp(int generation)
    {
        lock (_lock)
        {
            return _up.Task.IsCompletedSuccessfully && _up.Task.Result.Generation == generation;
        }
    }

    public void Up(Endpoints endpoints)
    {
        lock (_lock)
        {
            _up.TrySetResult(endpoints);
        }
    }

    public void Down()
    {
        lock (_lock)
        {
            if (_up.Task.IsCompleted)
            {
                _up = new TaskCompletionSource<Endpoints>(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>Waits until a generation after <paramref name="generation"/> is up: after a failure, a worker waits for
    /// the restart rather than hammering a dead port.</summary>
    public async Task<Endpoints> WaitNextAsync(int generation, CancellationToken cancellationToken)
    {
        while (true)
        {
            var up = await WaitUpAsync(cancellationToken);
            if (up.Generation > generation)
            {
                return up;
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>The server once it is up; null when the run stops first.</summary>
    public async Task<Endpoints?> WaitUpOrStopAsync(CancellationToken stop)
    {
        try
        {
            return await WaitUpAsync(stop);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary><see cref="WaitNextAsync"/>, returning quietly when the run stops instead.</summary>
    public async Task WaitNextOrStopAsync(int generation, CancellationToken stop)
    {
        try
        {
            await WaitNextAsync(generation, stop);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
