using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using Amazon.DynamoDBv2.Model;

namespace LiveInsight.Core.Stats;

/// <summary>
/// A day's rows of one dimension packed into a few Stats items (issue 22): reading a dimension over a range costs one
/// item per day (a few for a day with thousands of values) instead of one per value and day. The flusher writes a
/// day's pack from the very items it writes for the day's rows, in the same flush, so the pack always holds what the
/// rows hold; the seed of <c>bench/read.sh</c> uses the same code. A day without a complete pack (data flushed before
/// packs existed, an imported day) is read from its rows, as before.
/// <para>Layout: pk <c>{site}#dp#{dimension}</c> (<see cref="PartitionKey"/>), sk <c>{day}#{part:D4}</c>; attributes
/// <c>parts</c> (how many parts the day's pack has), <c>flush</c> (one id per write: parts of different flushes never
/// mix) and <c>rows</c> (Binary: per row its value, its Number attributes by name, its sketch and the sketch's CRC-32,
/// as the row item holds them). A part holds at most <see cref="MaxPartBytes"/> bytes of rows (DynamoDB's item limit
/// is 400 KB). Erasing days, retention and site deletion remove packs with the rows (<c>Lifecycle/SitePurge</c>).</para>
/// <para>It relies on what the rows rely on: a day's Redis hash holds the whole day (events are at most 24 h old and
/// the hash lives 4 days after its last change), so each flush rewrites every row, and the pack, of the day.</para>
/// </summary>
public static class DayPacks
{
    public const string PartsAttribute = "parts";
    public const string FlushAttribute = "flush";
    public const string RowsAttribute = "rows";
    private const string SketchAttribute = "hll";
    private const string SketchCrcAttribute = "hll_crc32";
    private const byte Version = 1;

    /// <summary>The most bytes of packed rows in one part.</summary>
    public const int MaxPartBytes = 300_000;

    /// <summary>Dimensions whose day rows are packed: all but the summary (one row a day already).</summary>
    public static bool Packed(string dimension) => dimension != RollupLayout.Summary;

    public static string PartitionKey(string siteId, string dimension) => $"{siteId}#dp#{dimension}";

    public static string SortKey(string dayBucket, int part) => $"{dayBucket}#{part.ToString("D4", CultureInfo.InvariantCulture)}";

    /// <summary>
    /// The pack items of the day rows among <paramref name="rowItems"/> (Stats items as the flusher writes them:
    /// pk, sk, bucket, value, Number metrics, and hll + hll_crc32 where kept). Hour rows, summary rows and imported rows
    /// are not packed. One pack per (site, dimension, day) found, all its rows in it.
    /// </summary>
    public static List<Dictionary<string, AttributeValue>> ItemsFor(string siteId, IEnumerable<Dictionary<string, AttributeValue>> rowItems)
    {
        var packs = new Dictionary<(string Dimension, string Day), List<Dictionary<string, AttributeValue>>>();
        foreach (var item in rowItems)
        {
            var pk = item["pk"].S;
            var prefix = RollupLayout.StatsPartitionKey(siteId, Granularity.Day, "");
            if (!pk.StartsWith(prefix, StringComparison.Ordinal) || item.ContainsKey(ImportLayout.ImportIdAttribute))
            {
                continue;
            }

            var dimension = pk[prefix.Length..];
            if (!Packed(dimension))
            {
                continue;
            }

            var sk = item["sk"].S;
            var day = sk[..sk.IndexOf('#', StringComparison.Ordinal)];
            var rows = packs.TryGetValue((dimension, day), out var list) ? list : packs[(dimension, day)] = [];
            rows.Add(item);
        }

        var items = new List<Dictionary<string, AttributeValue>>();
        foreach (var ((dimension, day), rows) in packs)
        {
            items.AddRange(Pack(siteId, dimension, day, rows));
        }

        return items;
    }

    private static IEnumerable<Dictionary<string, AttributeValue>> Pack(
        string siteId, string dimension, string day, List<Dictionary<string, AttributeValue>> rows)
    {
        var parts = new List<byte[]>();
        using var part = new MemoryStream();
        part.WriteByte(Version);
        foreach (var row in rows)
        {
            var encoded = Encode(row);
            if (part.Length > 1 && part.Length + encoded.Length > MaxPartBytes)
            {
                parts.Add(part.ToArray());
                part.SetLength(0);
                part.WriteByte(Version);
            }

            part.Write(encoded);
        }

        parts.Add(part.ToArray());
        var flush = Guid.NewGuid().ToString("N");
        return parts.Select((bytes, i) => new Dictionary<string, AttributeValue>
        {
            ["pk"] = new() { S = PartitionKey(siteId, dimension) },
            ["sk"] = new() { S = SortKey(day, i) },
            [PartsAttribute] = new() { N = parts.Count.ToString(CultureInfo.InvariantCulture) },
            [FlushAttribute] = new() { S = flush },
            [RowsAttribute] = new() { B = new MemoryStream(bytes) },
        });
    }

    /// <summary>One row: value, then (name, number) per Number attribute but the CRC, then the sketch (length 0 when
    /// none) and its stored CRC-32 as the row item has them (checked by the reader, as for a row).</summary>
    private static byte[] Encode(Dictionary<string, AttributeValue> row)
    {
        using var stream = new MemoryStream();
        WriteString(stream, row["value"].S);
        var numbers = row.Where(a => a.Value.N is not null && a.Key != SketchCrcAttribute).ToList();
        WriteVarint(stream, (ulong)numbers.Count);
        foreach (var (name, value) in numbers)
        {
            WriteString(stream, name);
            WriteVarint(stream, ZigZag(long.Parse(value.N, CultureInfo.InvariantCulture)));
        }

        var sketch = row.TryGetValue(SketchAttribute, out var hll) && hll.B is not null ? hll.B.ToArray() : [];
        WriteVarint(stream, (ulong)sketch.Length);
        stream.Write(sketch);
        if (sketch.Length > 0)
        {
            var crc = row.TryGetValue(SketchCrcAttribute, out var c) && c.N is not null
                && uint.TryParse(c.N, NumberStyles.None, CultureInfo.InvariantCulture, out var stored) ? stored : 0u;
            Span<byte> bytes = stackalloc byte[5];
            bytes[0] = row.ContainsKey(SketchCrcAttribute) ? (byte)1 : (byte)0;
            BinaryPrimitives.WriteUInt32LittleEndian(bytes[1..], crc);
            stream.Write(bytes);
        }

        return stream.ToArray();
    }

    /// <summary>A packed row: the sketch is null when the row had none, or when its stored CRC-32 does not match it
    /// (<see cref="SketchIntact"/> false then), as a row's reader decides.</summary>
    public sealed record Row(string Value, IReadOnlyDictionary<string, long> Numbers, byte[]? Sketch, bool SketchIntact);

    /// <summary>The rows of complete packs, per day; days whose parts are missing or from different flushes are left
    /// out (their rows are read instead).</summary>
    public static Dictionary<string, List<Row>> Complete(IEnumerable<Dictionary<string, AttributeValue>> packItems, bool withSketches)
    {
        var days = new Dictionary<string, List<Dictionary<string, AttributeValue>>>(StringComparer.Ordinal);
        foreach (var item in packItems)
        {
            var sk = item["sk"].S;
            var day = sk[..sk.IndexOf('#', StringComparison.Ordinal)];
            (days.TryGetValue(day, out var list) ? list : days[day] = []).Add(item);
        }

        var complete = new Dictionary<string, List<Row>>(StringComparer.Ordinal);
        foreach (var (day, items) in days)
        {
            var first = items.FirstOrDefault(i => i["sk"].S == SortKey(day, 0));
            if (first is null || !int.TryParse(first[PartsAttribute].N, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            {
                continue;
            }

            var flush = first[FlushAttribute].S;
            var parts = Enumerable.Range(0, count)
                .Select(i => items.FirstOrDefault(p => p["sk"].S == SortKey(day, i) && p[FlushAttribute].S == flush))
                .ToList();
            if (parts.Any(p => p is null))
            {
                continue;
            }

            complete[day] = parts.SelectMany(p => Decode(p![RowsAttribute].B.ToArray(), withSketches)).ToList();
        }

        return complete;
    }

    private static IEnumerable<Row> Decode(byte[] bytes, bool withSketches)
    {
        if (bytes.Length == 0 || bytes[0] != Version)
        {
            throw new InvalidDataException($"Unknown day pack version {(bytes.Length == 0 ? -1 : bytes[0])}.");
        }

        var rows = new List<Row>();
        var at = 1;
        while (at < bytes.Length)
        {
            var value = ReadString(bytes, ref at);
            var count = (int)ReadVarint(bytes, ref at);
            var numbers = new Dictionary<string, long>(count);
            for (var i = 0; i < count; i++)
            {
                var name = ReadString(bytes, ref at);
                numbers[name] = UnZigZag(ReadVarint(bytes, ref at));
            }

            var length = (int)ReadVarint(bytes, ref at);
            byte[]? sketch = null;
            var intact = true;
            if (length > 0)
            {
                var span = bytes.AsSpan(at, length);
                at += length;
                var hasCrc = bytes[at] == 1;
                var crc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 1, 4));
                at += 5;
                intact = hasCrc && Crc32.HashToUInt32(span) == crc;
                sketch = withSketches && intact ? span.ToArray() : null;
            }

            rows.Add(new Row(value, numbers, sketch, intact));
        }

        return rows;
    }

    private static void WriteString(Stream stream, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        WriteVarint(stream, (ulong)bytes.Length);
        stream.Write(bytes);
    }

    private static string ReadString(byte[] bytes, ref int at)
    {
        var length = (int)ReadVarint(bytes, ref at);
        var text = Encoding.UTF8.GetString(bytes, at, length);
        at += length;
        return text;
    }

    private static void WriteVarint(Stream stream, ulong value)
    {
        while (value >= 0x80)
        {
            stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        stream.WriteByte((byte)value);
    }

    private static ulong ReadVarint(byte[] bytes, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = bytes[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    private static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);
}
