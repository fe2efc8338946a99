namespace LiveInsight.Core.Stats;

/// <summary>
/// The union of Redis HyperLogLog values (as GET returns them: sparse or dense), in process: each register's maximum,
/// which is exactly what PFMERGE and a multi-key PFCOUNT compute, so a merged sketch counts the same as its parts
/// together. The result is written sparse when that is smaller (Redis reads a sparse value of any length), else
/// dense, with the cached cardinality marked invalid so Redis computes it. Used for <see cref="SummaryWeeks"/>.
/// </summary>
public static class HyperLogLogUnion
{
    public const int Registers = 16384;
    private const int HeaderBytes = 16;
    private const int DenseBytes = HeaderBytes + (Registers * 6 / 8);
    private const byte Dense = 0;
    private const byte Sparse = 1;
    private const int SparseMaxValue = 32;

    /// <summary>Registers of the union of <paramref name="sketches"/> (Redis HLL values); throws on anything else.</summary>
    public static byte[] RegistersOf(IEnumerable<byte[]> sketches)
    {
        var registers = new byte[Registers];
        foreach (var sketch in sketches)
        {
            Merge(sketch, registers);
        }

        return registers;
    }

    /// <summary>The union of <paramref name="sketches"/> as a Redis HLL value.</summary>
    public static byte[] Union(IEnumerable<byte[]> sketches) => Encode(RegistersOf(sketches));

    public static void Merge(ReadOnlySpan<byte> sketch, byte[] registers)
    {
        if (sketch.Length < HeaderBytes || sketch[0] != 'H' || sketch[1] != 'Y' || sketch[2] != 'L' || sketch[3] != 'L')
        {
            throw new InvalidDataException("Not a HyperLogLog value.");
        }

        if (sketch[4] == Dense)
        {
            if (sketch.Length != DenseBytes)
            {
                throw new InvalidDataException("Dense HyperLogLog of the wrong length.");
            }

            var body = sketch[HeaderBytes..];
            for (var i = 0; i < Registers; i++)
            {
                var value = DenseGet(body, i);
                if (value > registers[i])
                {
                    registers[i] = value;
                }
            }

            return;
        }

        if (sketch[4] != Sparse)
        {
            throw new InvalidDataException("Unknown HyperLogLog encoding.");
        }

        var index = 0;
        for (var at = HeaderBytes; at < sketch.Length; at++)
        {
            var op = sketch[at];
            if ((op & 0xC0) == 0x00)
            {
                index += (op & 0x3F) + 1; // ZERO
            }
            else if ((op & 0xC0) == 0x40)
            {
                if (at + 1 >= sketch.Length)
                {
                    throw new InvalidDataException("Truncated sparse HyperLogLog.");
                }

                index += (((op & 0x3F) << 8) | sketch[++at]) + 1; // XZERO
            }
            else
            {
                var value = (byte)(((op >> 2) & 0x1F) + 1); // VAL
                var run = (op & 0x03) + 1;
                if (index + run > Registers)
                {
                    throw new InvalidDataException("Sparse HyperLogLog longer than its registers.");
                }

                for (var i = 0; i < run; i++, index++)
                {
                    if (value > registers[index])
                    {
                        registers[index] = value;
                    }
                }
            }
        }

        if (index != Registers)
        {
            throw new InvalidDataException("Sparse HyperLogLog does not cover its registers.");
        }
    }

    /// <summary>Registers as a Redis HLL value: sparse when smaller (and every register fits its 5 bits), else dense.</summary>
    public static byte[] Encode(byte[] registers)
    {
        var sparse = registers.All(r => r <= SparseMaxValue) ? EncodeSparse(registers) : null;
        if (sparse is not null && sparse.Length < DenseBytes)
        {
            return sparse;
        }

        var dense = new byte[DenseBytes + 1]; // one spare byte: a register's bits may reach into the next byte
        Header(dense, Dense);
        var body = dense.AsSpan(HeaderBytes);
        for (var i = 0; i < Registers; i++)
        {
            var bit = i * 6;
            var (b, shift) = (bit / 8, bit % 8);
            body[b] |= (byte)(registers[i] << shift);
            if (shift > 2)
            {
                body[b + 1] |= (byte)(registers[i] >> (8 - shift));
            }
        }

        return dense[..DenseBytes];
    }

    private static byte[] EncodeSparse(byte[] registers)
    {
        var bytes = new List<byte>(256);
        var header = new byte[HeaderBytes];
        Header(header, Sparse);
        bytes.AddRange(header);
        var i = 0;
        while (i < Registers)
        {
            var value = registers[i];
            var run = 1;
            while (i + run < Registers && registers[i + run] == value)
            {
                run++;
            }

            i += run;
            if (value == 0)
            {
                for (; run > 0;)
                {
                    var n = Math.Min(run, 16384);
                    if (n > 64)
                    {
                        bytes.Add((byte)(0x40 | ((n - 1) >> 8)));
                        bytes.Add((byte)((n - 1) & 0xFF));
                    }
                    else
                    {
                        bytes.Add((byte)(n - 1));
                    }

                    run -= n;
                }
            }
            else
            {
                for (; run > 0;)
                {
                    var n = Math.Min(run, 4);
                    bytes.Add((byte)(0x80 | ((value - 1) << 2) | (n - 1)));
                    run -= n;
                }
            }
        }

        return [.. bytes];
    }

    private static void Header(byte[] bytes, byte encoding)
    {
        bytes[0] = (byte)'H';
        bytes[1] = (byte)'Y';
        bytes[2] = (byte)'L';
        bytes[3] = (byte)'L';
        bytes[4] = encoding;
        bytes[15] = 0x80; // the cached cardinality is invalid: Redis computes it on the first PFCOUNT
    }

    private static byte DenseGet(ReadOnlySpan<byte> body, int register)
    {
        var bit = register * 6;
        var (b, shift) = (bit / 8, bit % 8);
        var low = body[b] >> shift;
        var high = b + 1 < body.Length ? body[b + 1] << (8 - shift) : 0;
        return (byte)((low | high) & 0x3F);
    }
}
