using System.Text;

namespace LiveInsight.Api.Imports;

/// <summary>A file of an import is wrong at a known place: the answer names the file and the line.</summary>
public sealed class ImportFormatException(string file, long line, string message)
    : Exception(line > 0 ? $"{file} line {line}: {message}" : $"{file}: {message}")
{
    public string File { get; } = file;

    public long Line { get; } = line;
}

/// <summary>
/// Reads RFC 4180 CSV (comma separated, double-quoted fields with "" for a quote, CRLF or LF) one record at a time from
/// a stream, never holding more than one record: a field over <see cref="MaxFieldChars"/> or a record over
/// <see cref="MaxFields"/> fields is refused with its line, so a hostile file cannot make the parser buffer without end.
/// The first record is the header; <see cref="Column"/> finds a column by name (case-insensitive).
/// </summary>
public sealed class CsvRows : IDisposable
{
    public const int MaxFieldChars = 4_096;
    public const int MaxFields = 64;

    private readonly TextReader _reader;
    private readonly string _file;
    private readonly StringBuilder _field = new();
    private readonly Dictionary<string, int> _columns = new(StringComparer.OrdinalIgnoreCase);
    private long _line = 1;

    public CsvRows(Stream stream, string file)
    {
        _reader = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024);
        _file = file;
        var header = Next() ?? throw new ImportFormatException(file, 0, "the file is empty; the first line must name the columns.");
        for (var i = 0; i < header.Count; i++)
        {
            _columns.TryAdd(header[i].Trim(), i);
        }

        Line = 1;
    }

    /// <summary>The line the last record returned started on (1 is the header).</summary>
    public long Line { get; private set; }

    public string File => _file;

    public int? Column(string name) => _columns.TryGetValue(name, out var index) ? index : null;

    public int RequireColumn(string name) =>
        Column(name) ?? throw new ImportFormatException(_file, 1, $"the header has no column '{name}'.");

    /// <summary>The next record, or null at the end of the file. A blank line is skipped.</summary>
    public List<string>? Next()
    {
        while (true)
        {
            var record = ReadRecord();
            if (record is null)
            {
                return null;
            }

            if (record.Count == 1 && record[0].Length == 0)
            {
                continue;
            }

            return record;
        }
    }

    public ImportFormatException Error(string message) => new(_file, Line, message);

    private List<string>? ReadRecord()
    {
        try
        {
            return ReadRecordCore();
        }
        catch (DecoderFallbackException)
        {
            throw new ImportFormatException(_file, _line, "the file is not UTF-8 text.");
        }
    }

    private List<string>? ReadRecordCore()
    {
        var first = _reader.Peek();
        if (first < 0)
        {
            return null;
        }

        Line = _line;
        var fields = new List<string>();
        _field.Clear();
        var quoted = false;
        var afterQuote = false;
        while (true)
        {
            var c = _reader.Read();
            if (c < 0)
            {
                if (quoted)
                {
                    throw new ImportFormatException(_file, Line, "a quoted field is not closed before the end of the file.");
                }

                fields.Add(_field.ToString());
                return fields;
            }

            if (quoted)
            {
                if (c == '"')
                {
                    if (_reader.Peek() == '"')
                    {
                        _reader.Read();
                        Append('"');
                    }
                    else
                    {
                        quoted = false;
                        afterQuote = true;
                    }
                }
                else
                {
                    if (c == '\n')
                    {
                        _line++;
                    }

                    Append((char)c);
                }

                continue;
            }

            switch (c)
            {
                case ',':
                    AddField(fields);
                    afterQuote = false;
                    break;
                case '\r':
                    if (_reader.Peek() == '\n')
                    {
                        _reader.Read();
                    }

                    _line++;
                    fields.Add(_field.ToString());
                    return fields;
                case '\n':
                    _line++;
                    fields.Add(_field.ToString());
                    return fields;
                case '"' when _field.Length == 0 && !afterQuote:
                    quoted = true;
                    break;
                default:
                    if (afterQuote)
                    {
                        throw new ImportFormatException(_file, Line, "text follows a closing quote inside a field.");
                    }

                    Append((char)c);
                    break;
            }
        }
    }

    private void AddField(List<string> fields)
    {
        fields.Add(_field.ToString());
        _field.Clear();
        if (fields.Count >= MaxFields)
        {
            throw new ImportFormatException(_file, Line, $"a line has more than {MaxFields} fields.");
        }
    }

    private void Append(char c)
    {
        if (_field.Length >= MaxFieldChars)
        {
            throw new ImportFormatException(_file, Line, $"a field is longer than {MaxFieldChars} characters.");
        }

        _field.Append(c);
    }

    public void Dispose() => _reader.Dispose();
}
