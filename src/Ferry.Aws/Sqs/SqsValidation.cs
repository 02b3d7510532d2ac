using System.Globalization;
using System.Text;

namespace Ferry.Aws.Sqs;

/// <summary>
/// The structural rules of SQS requests that need no state: batch shape, message body characters, message
/// attributes. The protocol layer applies them before the service is called; the service may call them too.
/// </summary>
internal static class SqsValidation
{
    /// <summary>SQS's limit of entries in one batch request.</summary>
    public const int MaxBatchEntries = 10;

    /// <summary>SQS's limit on the length of a batch entry id.</summary>
    public const int MaxBatchEntryIdLength = 80;

    /// <summary>SQS's limit of message (user) attributes on one message.</summary>
    public const int MaxMessageAttributes = 10;

    /// <summary>SQS's limit on the length of a message attribute name.</summary>
    public const int MaxAttributeNameLength = 256;

    /// <summary>SQS's limit on the length of a message attribute's data type, custom label included.</summary>
    public const int MaxDataTypeLength = 256;

    /// <summary>Numbers keep up to 38 significant digits in SQS.</summary>
    public const int MaxNumberPrecision = 38;

    /// <summary>SQS numbers lie between 10^-128 and 10^+126 in magnitude (or are zero).</summary>
    public const int MinNumberExponent = -128;

    /// <inheritdoc cref="MinNumberExponent"/>
    public const int MaxNumberExponent = 126;

    /// <summary>Throws MissingParameter when a required member is absent (or empty, as a Query parameter can be).</summary>
    public static void Require(string? value, string parameter)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw SqsErrors.MissingParameter(parameter);
        }
    }

    /// <summary>Throws MissingParameter when a required member is absent.</summary>
    public static void Require<T>(T? value, string parameter)
        where T : class
    {
        if (value is null)
        {
            throw SqsErrors.MissingParameter(parameter);
        }
    }

    /// <summary>True when the id is 1 to 80 characters of ASCII letters, digits, hyphens and underscores.</summary>
    public static bool IsValidBatchEntryId(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxBatchEntryIdLength)
        {
            return false;
        }

        foreach (char c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Checks a batch's shape: at least one entry, at most ten, every id valid and distinct. Throws the error AWS
    /// answers for the first rule broken.
    /// </summary>
    /// <param name="entries">The batch's entries, null when the request had none.</param>
    /// <param name="id">Reads an entry's Id.</param>
    /// <param name="entryName">The entry shape, e.g. <c>SendMessageBatchRequestEntry</c>, for the messages.</param>
    public static void ValidateBatch<T>(List<T>? entries, Func<T, string?> id, string entryName)
    {
        if (entries is null || entries.Count == 0)
        {
            throw SqsErrors.EmptyBatchRequest(entryName);
        }

        if (entries.Count > MaxBatchEntries)
        {
            throw SqsErrors.TooManyEntriesInBatchRequest(entries.Count);
        }

        for (int i = 0; i < entries.Count; i++)
        {
            string? entryId = id(entries[i]);
            if (entryId is null)
            {
                throw SqsErrors.MissingParameter(string.Create(CultureInfo.InvariantCulture, $"{entryName}.{i + 1}.Id"));
            }

            if (!IsValidBatchEntryId(entryId))
            {
                throw SqsErrors.InvalidBatchEntryId();
            }

            for (int j = 0; j < i; j++)
            {
                if (string.Equals(id(entries[j]), entryId, StringComparison.Ordinal))
                {
                    throw SqsErrors.BatchEntryIdsNotDistinct(entryId);
                }
            }
        }
    }

    /// <summary>
    /// The first code point of <paramref name="text"/> outside XML's character set
    /// (<c>#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF</c>), or -1 when there is none. A lone
    /// surrogate is reported as itself.
    /// </summary>
    public static int FindInvalidCharacter(string text)
    {
        // Almost every body is made of characters from U+0020 to U+D7FF: a vectorized scan skips them.
        int first = text.AsSpan().IndexOfAnyExceptInRange((char)0x20, (char)0xD7FF);
        if (first < 0)
        {
            return -1;
        }

        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (c >= 0x20 && c <= 0xD7FF)
            {
                continue;
            }

            if (c == 0x9 || c == 0xA || c == 0xD || (c >= 0xE000 && c <= 0xFFFD))
            {
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            return c;
        }

        return -1;
    }

    /// <summary>A message body must be present, non-empty, and made of allowed characters.</summary>
    public static void ValidateMessageBody(string? body, string parameter = "MessageBody")
    {
        if (string.IsNullOrEmpty(body))
        {
            throw SqsErrors.MissingParameter(parameter);
        }

        int invalid = FindInvalidCharacter(body);
        if (invalid >= 0)
        {
            throw SqsErrors.InvalidMessageContents(invalid);
        }
    }

    /// <summary>Checks message (user) attributes: count, names, data types and values.</summary>
    public static void ValidateMessageAttributes(Dictionary<string, MessageAttributeValue>? attributes)
    {
        if (attributes is null || attributes.Count == 0)
        {
            return;
        }

        if (attributes.Count > MaxMessageAttributes)
        {
            throw SqsErrors.InvalidParameterValue(string.Create(CultureInfo.InvariantCulture,
                $"Number of message attributes [{attributes.Count}] exceeds the allowed maximum [{MaxMessageAttributes}]."));
        }

        foreach (var (name, value) in attributes)
        {
            ValidateAttributeName(name);
            ValidateAttributeValue(name, value, "message (user) attribute");
        }
    }

    /// <summary>Checks message system attributes: only AWSTraceHeader exists, a String.</summary>
    public static void ValidateMessageSystemAttributes(Dictionary<string, MessageAttributeValue>? attributes)
    {
        if (attributes is null || attributes.Count == 0)
        {
            return;
        }

        foreach (var (name, value) in attributes)
        {
            if (!string.Equals(name, "AWSTraceHeader", StringComparison.Ordinal))
            {
                throw SqsErrors.InvalidParameterValue($"Message system attribute name '{name}' is invalid.");
            }

            if (!string.Equals(value.DataType, "String", StringComparison.Ordinal))
            {
                throw SqsErrors.InvalidParameterValue($"The message system attribute '{name}' must be of type String.");
            }

            ValidateAttributeValue(name, value, "message system attribute");
        }
    }

    /// <summary>
    /// A message attribute name: 1 to 256 characters of letters, digits, <c>_</c>, <c>-</c> and <c>.</c>; not
    /// starting with <c>AWS.</c> or <c>Amazon.</c> in any case; no leading, trailing or doubled period.
    /// </summary>
    public static void ValidateAttributeName(string name)
    {
        if (name.Length == 0)
        {
            throw SqsErrors.InvalidParameterValue("The request must contain non-empty message (user) attribute names.");
        }

        if (name.Length > MaxAttributeNameLength)
        {
            throw SqsErrors.InvalidParameterValue(string.Create(CultureInfo.InvariantCulture,
                $"Message (user) attribute name must be shorter than {MaxAttributeNameLength + 1} bytes."));
        }

        if (name.StartsWith("AWS.", StringComparison.OrdinalIgnoreCase) || name.StartsWith("Amazon.", StringComparison.OrdinalIgnoreCase))
        {
            throw SqsErrors.InvalidParameterValue($"Message (user) attribute name '{name}' is invalid. You can't use message attribute names beginning with AWS. or Amazon. These strings are reserved for internal use.");
        }

        if (name[0] == '.' || name[^1] == '.' || name.Contains("..", StringComparison.Ordinal))
        {
            throw SqsErrors.InvalidParameterValue($"Message (user) attribute name '{name}' is invalid. The name can't start or end with a period (.), or have periods in succession (..).");
        }

        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-' || c == '.'))
            {
                throw SqsErrors.InvalidParameterValue($"Message (user) attribute name '{name}' is invalid. The name can contain alphanumeric characters and the underscore (_), hyphen (-), and period (.).");
            }
        }
    }

    private static void ValidateAttributeValue(string name, MessageAttributeValue value, string kind)
    {
        string? dataType = value.DataType;
        if (string.IsNullOrEmpty(dataType))
        {
            throw SqsErrors.InvalidParameterValue($"The {kind} '{name}' must contain a non-empty attribute type.");
        }

        if (dataType.Length > MaxDataTypeLength)
        {
            throw SqsErrors.InvalidParameterValue(string.Create(CultureInfo.InvariantCulture,
                $"The type of {kind} '{name}' must be shorter than {MaxDataTypeLength + 1} bytes."));
        }

        var type = BaseType(dataType);
        if (type == AttributeType.Invalid)
        {
            throw SqsErrors.InvalidParameterValue($"The type of {kind} '{name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.");
        }

        if (type == AttributeType.Binary)
        {
            if (value.BinaryValue is not { Length: > 0 } && value.BinaryListValues is not { Count: > 0 })
            {
                throw SqsErrors.InvalidParameterValue($"The {kind} '{name}' with type 'Binary' must use field 'Binary'.");
            }

            if (value.StringValue is not null)
            {
                throw SqsErrors.InvalidParameterValue($"The {kind} '{name}' with type 'Binary' must use field 'Binary'.");
            }

            return;
        }

        if (value.BinaryValue is not null)
        {
            throw SqsErrors.InvalidParameterValue($"The {kind} '{name}' with type '{(type == AttributeType.Number ? "Number" : "String")}' must use field 'String'.");
        }

        string? text = value.StringValue;
        if (string.IsNullOrEmpty(text))
        {
            if (value.StringListValues is { Count: > 0 })
            {
                return;
            }

            throw SqsErrors.InvalidParameterValue($"The {kind} '{name}' must contain a non-empty value of {kind} type '{dataType}'.");
        }

        int invalid = FindInvalidCharacter(text);
        if (invalid >= 0)
        {
            throw SqsErrors.InvalidParameterValue(string.Create(CultureInfo.InvariantCulture,
                $"Invalid binary character '#x{invalid:X}' was found in the value of {kind} '{name}', the set of allowed characters is {SqsErrors.AllowedCharacters}"));
        }

        if (type == AttributeType.Number && !IsValidNumber(text))
        {
            throw SqsErrors.InvalidParameterValue($"Can't convert value '{text}' of {kind} '{name}' to a number. Numbers may have up to 38 digits of precision and lie between 10^-128 and 10^+126.");
        }
    }

    private enum AttributeType
    {
        Invalid,
        String,
        Number,
        Binary,
    }

    /// <summary>String, Number or Binary, optionally followed by <c>.label</c> with a non-empty label.</summary>
    private static AttributeType BaseType(string dataType)
    {
        int dot = dataType.IndexOf('.', StringComparison.Ordinal);
        ReadOnlySpan<char> prefix = dot < 0 ? dataType : dataType.AsSpan(0, dot);
        if (dot >= 0 && dot == dataType.Length - 1)
        {
            return AttributeType.Invalid;
        }

        return prefix switch
        {
            "String" => AttributeType.String,
            "Number" => AttributeType.Number,
            "Binary" => AttributeType.Binary,
            _ => AttributeType.Invalid,
        };
    }

    /// <summary>
    /// A decimal number SQS can store: <c>[+-]digits[.digits][(e|E)[+-]digits]</c>, at most 38 significant
    /// digits, and zero or between 10^-128 and 10^+126 in magnitude.
    /// </summary>
    public static bool IsValidNumber(string text)
    {
        ReadOnlySpan<char> s = text.AsSpan().Trim();
        int i = 0;
        if (i < s.Length && (s[i] == '+' || s[i] == '-'))
        {
            i++;
        }

        int significantStart = -1; // the exponent (power of ten) of the first non-zero digit
        int significant = 0;
        int digits = 0;
        int integerDigits = 0;
        bool inFraction = false;
        int trailingZeros = 0;
        for (; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '.' && !inFraction)
            {
                inFraction = true;
                continue;
            }

            if (!char.IsAsciiDigit(c))
            {
                break;
            }

            digits++;
            if (!inFraction)
            {
                integerDigits++;
            }

            if (c != '0' || significant > 0)
            {
                if (significant == 0)
                {
                    // Position of this digit relative to the decimal point.
                    significantStart = inFraction ? integerDigits - digits : integerDigits - 1;
                }

                significant++;
                trailingZeros = c == '0' ? trailingZeros + 1 : 0;
            }
        }

        if (digits == 0)
        {
            return false;
        }

        long exponent = 0;
        if (i < s.Length && (s[i] == 'e' || s[i] == 'E'))
        {
            i++;
            bool negative = false;
            if (i < s.Length && (s[i] == '+' || s[i] == '-'))
            {
                negative = s[i] == '-';
                i++;
            }

            int start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                exponent = Math.Min(exponent * 10 + (s[i] - '0'), 100_000);
                i++;
            }

            if (i == start)
            {
                return false;
            }

            if (negative)
            {
                exponent = -exponent;
            }
        }

        if (i != s.Length)
        {
            return false;
        }

        if (significant == 0)
        {
            return true;
        }

        // Trailing zeros of an integer carry no precision ("1000000...0" has one significant digit).
        if (significant - (inFraction ? 0 : trailingZeros) > MaxNumberPrecision)
        {
            return false;
        }

        long magnitude = significantStart + exponent;
        return magnitude >= MinNumberExponent && magnitude < MaxNumberExponent;
    }

    /// <summary>The UTF-8 size of a message as SQS counts it against MaximumMessageSize: body plus attributes.</summary>
    public static long MessageSize(string? body, Dictionary<string, MessageAttributeValue>? attributes)
    {
        long size = body is null ? 0 : Encoding.UTF8.GetByteCount(body);
        if (attributes is not null)
        {
            foreach (var (name, value) in attributes)
            {
                size += Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(value.DataType ?? "");
                size += value.StringValue is null ? 0 : Encoding.UTF8.GetByteCount(value.StringValue);
                size += value.BinaryValue?.Length ?? 0;
            }
        }

        return size;
    }
}
