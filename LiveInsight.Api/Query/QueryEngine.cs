using DuckDB.NET.Data;
using LiveInsight.Core.Lake;
using Microsoft.Extensions.Options;

namespace LiveInsight.Api.Query;

/// <summary>
/// Runs <see cref="QuerySql"/> on one in-process DuckDB database shared by all queries: opening a database costs
/// ~400 ms here, a connection to an open one (<c>Duplicate</c>) ~3 ms, so each query gets its own connection to the
/// shared database. The database may read only the lake and its temp folder, loads no extension, and its settings
/// (threads, memory limit) are locked once set. Each query has a deadline (DuckDB's interrupt) and a slot among
/// <see cref="QueryOptions.MaxConcurrentQueries"/>.
/// </summary>
public sealed class QueryEngine : IDisposable
{
    private readonly QueryOptions options;
    private readonly Lazy<DuckDBConnection> database;
    private readonly SemaphoreSlim slots;

    public QueryEngine(IOptions<QueryOptions> options, LakeFiles lake)
    {
        this.options = options.Value;
        slots = new SemaphoreSlim(this.options.MaxConcurrentQueries);
        database = new Lazy<DuckDBConnection>(() => Open(lake.Root), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>A new empty folder the engine may write to (a COPY's target, <see cref="QuerySql.BuildFunnelPartials"/>);
    /// the caller deletes it.</summary>
    public static string NewScratchFolder()
    {
        var folder = Path.Combine(TempFolder, "scratch-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static string TempFolder => Path.Combine(Path.GetTempPath(), "liveinsight-duckdb");

    /// <returns>The rows, each the query's dimensions then its metrics (then total_rows when asked).</returns>
    public Task<List<object?[]>> RunAsync(QuerySql sql, CancellationToken cancellationToken) =>
        RunAsync(sql.Text, sql.Parameters, sql.Regexes, cancellationToken);

    /// <summary>Any other SQL built the same way (text from allow-listed fragments, every value a parameter), e.g.
    /// <see cref="CohortSql"/>, under the same slots, deadline and memory limit.</summary>
    public async Task<List<object?[]>> RunAsync(string text, IReadOnlyList<object> parameters, IReadOnlyList<string> regexes, CancellationToken cancellationToken)
    {
        var limit = TimeSpan.FromSeconds(options.TimeoutSeconds);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        try
        {
            if (!await slots.WaitAsync(limit, cancellationToken))
            {
                throw new QueryBusyException($"All {options.MaxConcurrentQueries} query slots stayed busy for {options.TimeoutSeconds} s; retry later.");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new QueryBusyException("The query waited too long for a free slot; retry later.");
        }

        try
        {
            return await Task.Run(() => Execute(text, parameters, regexes, deadline.Token), CancellationToken.None);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new QueryTimeoutException($"The query ran longer than {options.TimeoutSeconds} s and was stopped; narrow the date range or the dimensions.");
        }
        finally
        {
            slots.Release();
        }
    }

    private List<object?[]> Execute(string text, IReadOnlyList<object> parameters, IReadOnlyList<string> regexes, CancellationToken cancellationToken)
    {
        using var connection = database.Value.Duplicate();
        connection.Open();
        foreach (var regex in regexes.Distinct())
        {
            CheckRegex(connection, regex);
        }

        using var command = connection.CreateCommand();
        command.CommandText = text;
        foreach (var value in parameters)
        {
            command.Parameters.Add(new DuckDBParameter(value));
        }

        cancellationToken.ThrowIfCancellationRequested();
        using var cancel = cancellationToken.Register(command.Cancel);
        var rows = new List<object?[]>();
        try
        {
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var row = new object?[reader.FieldCount];
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                }

                rows.Add(row);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        catch (DuckDBException e) when (cancellationToken.IsCancellationRequested || e.Message.Contains("INTERRUPT", StringComparison.OrdinalIgnoreCase))
        {
            throw new OperationCanceledException("interrupted", e, cancellationToken);
        }
        catch (DuckDBException e) when (e.Message.StartsWith("Out of Memory", StringComparison.OrdinalIgnoreCase))
        {
            throw new QueryBusyException($"The query needed more than the {options.MemoryLimitMegabytes} MB the engine may use; narrow it or retry later.");
        }
        catch (DuckDBException e) when (e.Message.Contains("IO Error", StringComparison.OrdinalIgnoreCase)
                                        || e.Message.Contains("No files found", StringComparison.OrdinalIgnoreCase))
        {
            // Compaction replaced parts between the listing and the read (a window of milliseconds): the caller lists again.
            throw new LakeFilesChangedException("The lake's files changed while they were read (compaction); retry.");
        }

        return rows;
    }

    /// <summary>RE2 (DuckDB's regex engine) runs in linear time, so a pattern cannot hang a query; one it cannot compile
    /// is the client's mistake (400), told before the query runs.</summary>
    private static void CheckRegex(DuckDBConnection connection, string regex)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT regexp_matches('', $1)";
        command.Parameters.Add(new DuckDBParameter(regex));
        try
        {
            command.ExecuteScalar();
        }
        catch (DuckDBException e)
        {
            var reason = e.Message.Split('\n')[0];
            throw new QueryException($"A 'matches' clause is not a valid RE2 regular expression: {(reason.Length > 200 ? reason[..200] : reason)}");
        }
    }

    private DuckDBConnection Open(string lakeRoot)
    {
        var temp = TempFolder;
        Directory.CreateDirectory(temp);
        var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        // Configuration values, not client input; quoted as SQL string literals all the same.
        command.CommandText = string.Join(";\n",
            $"SET threads = {options.Threads}",
            $"SET memory_limit = '{options.MemoryLimitMegabytes}MB'",
            $"SET temp_directory = {Literal(temp)}",
            "SET autoinstall_known_extensions = false",
            "SET autoload_known_extensions = false",
            LakeLayout.CreateStampedEventsTable(QuerySql.EmptyEvents),
            $"SET allowed_directories = [{Literal(lakeRoot + Path.DirectorySeparatorChar)}, {Literal(temp + Path.DirectorySeparatorChar)}]",
            "SET enable_external_access = false",
            "SET lock_configuration = true");
        command.ExecuteNonQuery();
        return connection;
    }

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    public void Dispose()
    {
        if (database.IsValueCreated)
        {
            database.Value.Dispose();
        }

        slots.Dispose();
    }
}

/// <summary>The engine is saturated or out of memory for this query: 503 with Retry-After.</summary>
public sealed class QueryBusyException(string message) : Exception(message);

/// <summary>A file listed for the query was gone when read (compaction deleted merged parts): list again and rerun.</summary>
public sealed class LakeFilesChangedException(string message) : Exception(message);

/// <summary>The query hit its deadline: 503.</summary>
public sealed class QueryTimeoutException(string message) : Exception(message);
