namespace Ferry.Engine.RedisStreams;

/// <summary>A client that WATCHes keys: told when one of them changes, so that its EXEC fails.</summary>
public interface IKeyWatcher
{
    /// <summary>A watched key changed. Called under the engine's locks: it must only take note.</summary>
    void WatchedKeyModified();
}

public sealed partial class RedisStreams
{
    private readonly object _watchGate = new();
    private readonly Dictionary<string, List<IKeyWatcher>> _watchers = new(StringComparer.Ordinal);

    /// <summary>How many keys are watched: the write paths read it without the lock and skip the lookup at 0.</summary>
    private volatile int _watchedKeys;

    /// <summary>WATCH: <paramref name="watcher"/> is told when <paramref name="key"/> changes the way Redis signals
    /// a modified key: entries added (XADD), deleted (XDEL) or trimmed (XTRIM, XADD's MAXLEN/MINID), the key created
    /// (XADD, XGROUP CREATE MKSTREAM) or deleted (DEL, FLUSHALL), its expiry set or removed (EXPIRE, PERSIST). Group
    /// changes, reads and acknowledgements are not changes, nor the removal of a key that had already expired, as in
    /// Redis.</summary>
    public void Watch(string key, IKeyWatcher watcher)
    {
        lock (_watchGate)
        {
            if (!_watchers.TryGetValue(key, out var list))
            {
                _watchers[key] = list = [];
            }

            if (!list.Contains(watcher))
            {
                list.Add(watcher);
            }

            _watchedKeys = _watchers.Count;
        }
    }

    /// <summary>Stops telling <paramref name="watcher"/> about <paramref name="keys"/>.</summary>
    public void Unwatch(IEnumerable<string> keys, IKeyWatcher watcher)
    {
        lock (_watchGate)
        {
            foreach (var key in keys)
            {
                if (_watchers.TryGetValue(key, out var list) && list.Remove(watcher) && list.Count == 0)
                {
                    _watchers.Remove(key);
                }
            }

            _watchedKeys = _watchers.Count;
        }
    }

    /// <summary>The key changed: its watchers' transactions must fail. Called where the change is made, under the
    /// stream's or the catalog's lock, before it is durable, so no EXEC can run between the change and this.</summary>
    private void Touch(string key)
    {
        if (_watchedKeys == 0)
        {
            return;
        }

        lock (_watchGate)
        {
            if (_watchers.TryGetValue(key, out var list))
            {
                foreach (var watcher in list)
                {
                    watcher.WatchedKeyModified();
                }
            }
        }
    }
}
