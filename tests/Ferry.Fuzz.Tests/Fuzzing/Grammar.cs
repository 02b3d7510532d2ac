using System.Text;

namespace Ferry.Fuzz.Tests.Fuzzing;

/// <summary>What a mutator knows of a target's format: its words, how it nests, how long an input may grow.</summary>
/// <param name="Tokens">Words of the format (member names, actions, operators, header values) to insert or swap in.</param>
/// <param name="Nestings">Openers and their closers (<c>{"a":</c> and <c>}</c>, <c>[</c> and <c>]</c>) for deep nesting.</param>
/// <param name="MaxLength">No mutation makes an input longer than this.</param>
internal sealed record Grammar(byte[][] Tokens, (byte[] Open, byte[] Close)[] Nestings, int MaxLength)
{
    /// <summary>A grammar of text tokens, encoded as UTF-8 unless <paramref name="encoding"/> says otherwise (binary
    /// formats write their bytes as Latin-1 characters).</summary>
    public static Grammar Of(IEnumerable<string> tokens, IEnumerable<(string Open, string Close)> nestings, int maxLength, Encoding? encoding = null)
    {
        encoding ??= Encoding.UTF8;
        return new([.. tokens.Select(encoding.GetBytes)], [.. nestings.Select(n => (encoding.GetBytes(n.Open), encoding.GetBytes(n.Close)))], maxLength);
    }

    /// <summary>JSON's containers, as every JSON face and both policy languages nest them.</summary>
    public static readonly (string, string)[] JsonNestings = [("{\"a\":", "}"), ("[", "]"), ("{\"a\":[", "]}"), ("{\"$or\":[", "]}")];
}
