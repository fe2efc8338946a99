using System.Collections.Concurrent;

namespace LiveInsight.Api.Ingestion.Enrichment;

/// <summary>
/// A bounded cache that keeps what is used (the CLOCK approximation of LRU). A hit only sets a flag, without a lock;
/// an insert into a full cache sweeps a ring of entries, clearing flags, until it finds one not used since the last
/// sweep, and replaces that one. So a flood of keys seen once (made-up User-Agents) only ever replaces other keys seen
/// once, and an entry hit at least once per sweep stays: a flood can no longer empty the cache for everyone.
/// </summary>
internal sealed class ClockCache<TValue>
    where TValue : class
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Entry?[] _ring;
    private readonly Lock _insert = new();
    private int _count;
    private int _hand;

    public ClockCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ring = new Entry?[capacity];
    }

    public int Capacity => _ring.Length;

    /// <summary>Entries held; never above <see cref="Capacity"/>.</summary>
    public int Count => Volatile.Read(ref _count);

    public bool Contains(string key) => _entries.ContainsKey(key);

    public bool TryGet(string key, out TValue? value)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            // Read before write: a hot entry's flag is already set, so hits do not keep dirtying a shared cache line.
            if (!entry.Used)
            {
                entry.Used = true;
            }

            value = entry.Value;
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>The cached value for <paramref name="key"/>, or <paramref name="create"/>'s, cached. Two threads
    /// missing at once may both create; one value is kept and both get it.</summary>
    public TValue GetOrAdd(string key, Func<string, TValue> create)
    {
        if (TryGet(key, out var cached))
        {
            return cached!;
        }

        var value = create(key);
        lock (_insert)
        {
            if (_entries.TryGetValue(key, out var raced))
            {
                return raced.Value;
            }

            var entry = new Entry(key, value);
            if (_count < _ring.Length)
            {
                _ring[_count] = entry;
                Volatile.Write(ref _count, _count + 1);
            }
            else
            {
                // Ends within two turns of the ring: the first turn clears every flag it passes.
                while (_ring[_hand]!.Used)
                {
                    _ring[_hand]!.Used = false;
                    _hand = (_hand + 1) % _ring.Length;
                }

                _entries.TryRemove(_ring[_hand]!.Key, out _);
                _ring[_hand] = entry;
                _hand = (_hand + 1) % _ring.Length;
            }

            _entries[key] = entry;
            return value;
        }
    }

    private sealed class Entry(string key, TValue value)
    {
        private volatile bool _used;

        public string Key { get; } = key;
        public TValue Value { get; } = value;

        public bool Used
        {
            get => _used;
            set => _used = value;
        }
    }
}
