using System.Text;
using Ferry.Fuzz.Tests.Fuzzing;

namespace Ferry.Fuzz.Tests.Seeds;

/// <summary>Pipelines of Redis commands Ferry serves, as clients frame them (multibulk) and as people type them (inline).</summary>
internal static class RespSeeds
{
    private static byte[] Multibulk(params string[][] commands)
    {
        var text = new StringBuilder();
        foreach (var args in commands)
        {
            text.Append('*').Append(args.Length).Append("\r\n");
            foreach (var a in args)
            {
                text.Append('$').Append(Encoding.UTF8.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
            }
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static byte[] Inline(string lines) => Encoding.UTF8.GetBytes(lines);

    public static readonly byte[][] Commands =
    [
        Multibulk(["PING"], ["ECHO", "hello"], ["PING", "x"]),
        Multibulk(["HELLO", "3"], ["CLIENT", "SETNAME", "fuzz"], ["CLIENT", "INFO"], ["CLIENT", "ID"], ["CLIENT", "LIST"]),
        Multibulk(["HELLO", "2", "AUTH", "default", "secret", "SETNAME", "n"], ["AUTH", "secret"], ["SELECT", "0"]),
        Multibulk(["COMMAND", "COUNT"], ["COMMAND", "DOCS", "xadd"], ["INFO", "server"], ["CONFIG", "GET", "maxmemory"], ["DBSIZE"]),
        Multibulk(["XADD", "s", "*", "f", "v"], ["XADD", "s", "MAXLEN", "~", "10", "*", "a", "b", "c", "d"], ["XADD", "s", "NOMKSTREAM", "5-1", "k", "v"]),
        Multibulk(["XLEN", "s"], ["XRANGE", "s", "-", "+"], ["XREVRANGE", "s", "+", "-", "COUNT", "2"], ["XRANGE", "s", "(0-1", "18446744073709551615-0"]),
        Multibulk(["XREAD", "COUNT", "2", "STREAMS", "s", "t", "0", "0-0"], ["XREAD", "BLOCK", "10", "STREAMS", "s", "$"]),
        Multibulk(["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"], ["XADD", "s", "*", "f", "v"],
            ["XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">"], ["XPENDING", "s", "g"], ["XPENDING", "s", "g", "-", "+", "10", "c"]),
        Multibulk(["XGROUP", "CREATE", "s", "h", "0"], ["XREADGROUP", "GROUP", "h", "c", "NOACK", "STREAMS", "s", "0"],
            ["XACK", "s", "h", "0-1", "1-1"], ["XCLAIM", "s", "h", "d", "0", "0-1", "JUSTID"], ["XAUTOCLAIM", "s", "h", "d", "0", "0-0", "COUNT", "5"]),
        Multibulk(["XINFO", "STREAM", "s", "FULL", "COUNT", "3"], ["XINFO", "GROUPS", "s"], ["XINFO", "CONSUMERS", "s", "g"],
            ["XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD", "3"], ["XGROUP", "DELCONSUMER", "s", "g", "c"], ["XGROUP", "DESTROY", "s", "h"]),
        Multibulk(["XDEL", "s", "0-1"], ["XTRIM", "s", "MINID", "=", "0-2"], ["XTRIM", "s", "MAXLEN", "0", "LIMIT", "10"], ["XSETID", "s", "99-0"]),
        Multibulk(["EXISTS", "s", "t"], ["TYPE", "s"], ["KEYS", "*"], ["SCAN", "0", "MATCH", "s*", "COUNT", "10", "TYPE", "stream"], ["DEL", "t"], ["UNLINK", "u"]),
        Multibulk(["SUBSCRIBE", "c1", "c2"], ["PSUBSCRIBE", "c*", "h?llo", "[a-z]x"], ["PING"], ["UNSUBSCRIBE"], ["PUNSUBSCRIBE", "c*"]),
        Multibulk(["PUBLISH", "c1", "m"], ["SPUBLISH", "s1", "m"], ["PUBSUB", "CHANNELS", "*"], ["PUBSUB", "NUMSUB", "c1"], ["PUBSUB", "NUMPAT"]),
        Multibulk(["SSUBSCRIBE", "s1"], ["SUNSUBSCRIBE", "s1"], ["RESET"], ["QUIT"]),
        Multibulk(["FLUSHDB"], ["FLUSHALL", "ASYNC"], ["NOPE", "a"], ["GET", "k"]),
        Multibulk(["WATCH", "s", "t"], ["MULTI"], ["XADD", "s", "*", "f", "v"], ["XREAD", "BLOCK", "0", "STREAMS", "s", "$"],
            ["XGROUP", "CREATE", "s", "g", "$"], ["SUBSCRIBE", "c"], ["EXEC"], ["UNWATCH"]),
        Multibulk(["MULTI"], ["MULTI"], ["XLEN", "s", "x"], ["XINFO", "NOPE"], ["WATCH", "s"], ["EXEC"], ["MULTI"], ["PING"], ["DISCARD"], ["EXEC", "x"]),
        Multibulk(["XADD", "s", "*", "f", "v"], ["EXPIRE", "s", "100", "NX"], ["PEXPIRE", "s", "1", "XX", "GT"], ["EXPIREAT", "s", "9223372036854775"],
            ["PEXPIREAT", "s", "-9223372036854775808"], ["TTL", "s"], ["PTTL", "s"], ["EXPIRETIME", "s"], ["PEXPIRETIME", "s"], ["PERSIST", "s"],
            ["WATCH", "s"], ["EXPIRE", "s", "0"], ["MULTI"], ["XLEN", "s"], ["EXEC"]),
        Multibulk(["XADD", "s", "*", "f", "v"], ["XGROUP", "CREATE", "s", "g", "$"], ["RENAME", "s", "t"], ["RENAMENX", "t", "t"], ["RENAME", "s", "t"],
            ["TOUCH", "s", "t"], ["RANDOMKEY"], ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "t", ">"]),
        Multibulk(["TIME"], ["WAIT", "0", "0"], ["WAITAOF", "1", "0", "0"], ["WAIT", "1", "10"], ["MULTI"], ["WAIT", "1", "0"], ["EXEC"]),
        Inline("PING\r\nECHO \"a\\x41\\n\" 'b\\'c'\r\nXADD s * f v\nXLEN s\r\n\r\n"),
        Inline("*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\nPING\r\n*1\r\n$4\r\nPING\r\n"),
    ];

    public static readonly Grammar Grammar = Grammar.Of(
        [
            "*1\r\n", "*2\r\n", "*3\r\n", "$0\r\n\r\n", "$1\r\nx\r\n", "$4\r\nXADD\r\n", "$5\r\nXREAD\r\n", "$10\r\nXREADGROUP\r\n", "$5\r\nBLOCK\r\n",
            "$7\r\nSTREAMS\r\n", "$1\r\n*\r\n", "$1\r\n$\r\n", "$1\r\n>\r\n", "$1\r\n-\r\n", "$1\r\n+\r\n", "$3\r\n0-0\r\n", "$6\r\nMAXLEN\r\n",
            "$5\r\nCOUNT\r\n", "$5\r\nHELLO\r\n", "$1\r\n3\r\n", "$9\r\nSUBSCRIBE\r\n", "$4\r\nPING\r\n", "$4\r\nQUIT\r\n", "$5\r\nRESET\r\n",
            "*-1\r\n", "$-1\r\n", "*1048577\r\n", "$2147483648\r\n", "$16777217\r\n", "\"", "'", "\\x", "\r\n", "\n", "18446744073709551615-18446744073709551615",
            "$5\r\nMULTI\r\n", "$4\r\nEXEC\r\n", "$5\r\nWATCH\r\n", "$7\r\nDISCARD\r\n", "$4\r\nWAIT\r\n", "$7\r\nWAITAOF\r\n",
            "$6\r\nEXPIRE\r\n", "$7\r\nPEXPIRE\r\n", "$3\r\nTTL\r\n", "$7\r\nPERSIST\r\n", "$6\r\nRENAME\r\n", "GT", "LT", "NX", "XX",
            "-", "+", "*", "$", ">", "~", "=", "MINID", "NOACK", "JUSTID", "FULL", "ENTRIESREAD", "MKSTREAM", "NOMKSTREAM", "LIMIT", "FORCE",
        ],
        [("*1\r\n", ""), ("\"", "\"")],
        256 * 1024,
        Encoding.Latin1);
}
