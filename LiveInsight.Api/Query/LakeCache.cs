using LiveInsight.Core.Lake;

namespace LiveInsight.Api.Query;

/// <summary>
/// Local copies of a remote lake's files (S3), so DuckDB reads local Parquet (its S3 extension cannot be loaded here).
/// A copy is named by its key and its ETag (<c>events/site=…/day=…/compact.{etag}.parquet</c>): a file replaced in the
/// bucket (a new compact file) gets a new copy, and an old copy is never read for a new version. The cache is bounded:
/// after each download the least recently used copies are deleted until the total is under
/// <see cref="MaxBytes"/>, except the files of the query being answered (so it may exceed the bound by one query's
/// files). Another query's copy deleted under it fails that query's read, which lists and downloads again (the same
/// path as a part compacted away between listing and reading).
/// </summary>
public sealed class LakeCache
{
    private readonly string _root;
    private readonly ILakeStore _store;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (long Size, long Used)> _copies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task<bool>> _downloading = new(StringComparer.Ordinal);
    private long _total;
    private long _clock;

    public LakeCache(string root, long maxBytes, ILakeStore store)
    {
        _root = Path.GetFullPath(root);
        _store = store;
        MaxBytes = maxBytes;
        Directory.CreateDirectory(_root);
        // Copies kept from an earlier run are reused (oldest first to go); half-written downloads are not.
        foreach (var file in new DirectoryInfo(_root).EnumerateFiles("*", SearchOption.AllDirectories).OrderBy(f => f.LastWriteTimeUtc))
        {
            if (file.Name.EndsWith(".parquet", StringComparison.Ordinal))
            {
                _copies[file.FullName] = (file.Length, ++_clock);
                _total += file.Length;
            }
            else
            {
                file.Delete();
            }
        }
    }

    public long MaxBytes { get; }

    /// <summary>Bytes held now.</summary>
    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _total;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _copies.Count;
            }
        }
    }

    public long Downloads { get; private set; }

    /// <summary>Local paths of <paramref name="objects"/>, downloading what is not held; null when one of them was gone
    /// from the store (the listing is stale: list again).</summary>
    public async Task<IReadOnlyList<string>?> GetAsync(IReadOnlyList<LakeObject> objects, CancellationToken cancellationToken)
    {
        var paths = objects.Select(PathOf).ToList();
        var fetched = await Task.WhenAll(objects.Select((o, i) => EnsureAsync(o, paths[i], cancellationToken)));
        if (fetched.Any(ok => !ok))
        {
            return null;
        }

        Evict(paths.ToHashSet(StringComparer.Ordinal));
        return paths;
    }

    /// <summary>Deletes every copy under <paramref name="keyPrefix"/> (a site's files after its deletion or an erasure:
    /// erased data must not outlive the bucket here; what is still in the bucket is downloaded again when asked).
    /// A copy another query is reading fails that read, which lists and downloads again.</summary>
    public int Forget(string keyPrefix)
    {
        var folder = Path.Combine(_root, keyPrefix.TrimEnd('/').Replace('/', Path.DirectorySeparatorChar)) + Path.DirectorySeparatorChar;
        List<string> gone;
        lock (_gate)
        {
            gone = _copies.Keys.Where(p => p.StartsWith(folder, StringComparison.Ordinal)).ToList();
            foreach (var path in gone)
            {
                _total -= _copies[path].Size;
                _copies.Remove(path);
            }
        }

        foreach (var path in gone)
        {
            File.Delete(path);
        }

        if (Directory.Exists(folder))
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A download landed meanwhile: it is a copy of what the bucket still holds.
            }
        }

        return gone.Count;
    }

    /// <summary>Where the copy of one version of a file lives.</summary>
    public string PathOf(LakeObject o)
    {
        var slash = o.Key.LastIndexOf('/');
        var name = o.Key[(slash + 1)..];
        var stem = name.EndsWith(".parquet", StringComparison.Ordinal) ? name[..^".parquet".Length] : name;
        var tag = new string(o.ETag.Where(char.IsAsciiLetterOrDigit).Take(48).ToArray());
        var folder = slash < 0 ? "" : o.Key[..slash].Replace('/', Path.DirectorySeparatorChar);
        return Path.Combine(_root, folder, $"{stem}.{(tag.Length == 0 ? o.Size.ToString(System.Globalization.CultureInfo.InvariantCulture) : tag)}.parquet");
    }

    private Task<bool> EnsureAsync(LakeObject o, string path, CancellationToken cancellationToken)
    {
        Task<bool> download;
        lock (_gate)
        {
            if (_copies.TryGetValue(path, out var held))
            {
                _copies[path] = (held.Size, ++_clock);
                return Task.FromResult(true);
            }

            if (!_downloading.TryGetValue(path, out download!))
            {
                download = DownloadAsync(o, path, cancellationToken);
                _downloading[path] = download;
            }
        }

        return download;
    }

    private async Task<bool> DownloadAsync(LakeObject o, string path, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (!await _store.GetAsync(o.Key, temp, cancellationToken))
            {
                return false;
            }

            File.Move(temp, path, overwrite: true);
            var size = new FileInfo(path).Length;
            lock (_gate)
            {
                _copies[path] = (size, ++_clock);
                _total += size;
                Downloads++;
            }

            return true;
        }
        finally
        {
            File.Delete(temp);
            lock (_gate)
            {
                _downloading.Remove(path);
            }
        }
    }

    private void Evict(HashSet<string> keep)
    {
        List<string> doomed = [];
        lock (_gate)
        {
            if (_total <= MaxBytes)
            {
                return;
            }

            foreach (var (path, copy) in _copies.Where(c => !keep.Contains(c.Key)).OrderBy(c => c.Value.Used).ToList())
            {
                if (_total <= MaxBytes)
                {
                    break;
                }

                _copies.Remove(path);
                _total -= copy.Size;
                doomed.Add(path);
            }
        }

        foreach (var path in doomed)
        {
            File.Delete(path);
        }
    }
}
