using Ferry.Engine.RedisStreams;

namespace Ferry.Redis.Protocol;

/// <summary>The arguments of one command, copied out of the input pipe into one reusable buffer.</summary>
/// <remarks>Sizes grow with what actually arrived, never with what a length prefix announced.</remarks>
internal sealed class RespArgs
{
    private byte[] _data = new byte[1024];
    private int[] _starts = new int[16];
    private int[] _lengths = new int[16];
    private int _used;

    public int Count { get; private set; }

    public ReadOnlySpan<byte> this[int index] => _data.AsSpan(_starts[index], _lengths[index]);

    public void Clear()
    {
        Count = 0;
        _used = 0;
        // Do not keep huge buffers for the life of the connection after one large command.
        if (_data.Length > 1 << 20)
        {
            _data = new byte[1024];
        }

        if (_starts.Length > 1 << 16)
        {
            _starts = new int[16];
            _lengths = new int[16];
        }
    }

    /// <summary>Reserves room for an argument of <paramref name="length"/> bytes and returns it for filling.</summary>
    public Span<byte> Add(int length)
    {
        if (Count == _starts.Length)
        {
            Array.Resize(ref _starts, Count * 2);
            Array.Resize(ref _lengths, Count * 2);
        }

        if (_used + length > _data.Length)
        {
            Array.Resize(ref _data, Math.Max(_data.Length * 2, _used + length));
        }

        _starts[Count] = _used;
        _lengths[Count] = length;
        Count++;
        var span = _data.AsSpan(_used, length);
        _used += length;
        return span;
    }

    /// <summary>The argument as a Latin-1 string (binary safe).</summary>
    public string String(int index) => System.Text.Encoding.Latin1.GetString(this[index]);

    public bool Is(int index, ReadOnlySpan<byte> upperAscii) => System.Text.Ascii.EqualsIgnoreCase(this[index], upperAscii);

    /// <summary>The fields of XADD from <paramref name="first"/> on.</summary>
    public Fields From(int first) => new(this, first);

    public readonly struct Fields(RespArgs args, int first) : IStreamFields
    {
        public int Count => args.Count - first;

        public ReadOnlySpan<byte> this[int index] => args[first + index];
    }
}
