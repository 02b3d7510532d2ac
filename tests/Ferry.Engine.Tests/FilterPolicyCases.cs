using Ferry.Engine.Topics.Filtering;

namespace Ferry.Engine.Tests;

/// <summary>The tables behind <see cref="FilterPolicyTests"/>. An attribute is written <c>name|DataType|value</c>; a
/// Binary value is base64.</summary>
internal static class FilterPolicyCases
{
    public static TheoryData<string, string[], bool> AttributeMatches => new()
    {
        // Exact strings: case-sensitive, any value of the key's array.
        { """{"store":["fans"]}""", ["store|String|fans"], true },
        { """{"store":["fans"]}""", ["store|String|Fans"], false },
        { """{"store":["fans","shop"]}""", ["store|String|shop"], true },
        { """{"store":["fans"]}""", ["other|String|fans"], false },
        { """{"store":[""]}""", ["store|String|x"], false },

        // Types do not mix: a Number attribute is a JSON number, a String attribute a JSON string.
        { """{"n":["300"]}""", ["n|Number|300"], false },
        { """{"n":[300]}""", ["n|String|300"], false },
        { """{"flag":[true]}""", ["flag|String|true"], false },
        { """{"a":[null]}""", ["a|String|null"], false },

        // Numbers compare as numbers, to six decimal places.
        { """{"n":[300]}""", ["n|Number|300"], true },
        { """{"n":[300]}""", ["n|Number|300.0"], true },
        { """{"n":[300]}""", ["n|Number|3e2"], true },
        { """{"n":[3e2]}""", ["n|Number|300"], true },
        { """{"n":[300]}""", ["n|Number|300.00001"], false },
        { """{"n":[300]}""", ["n|Number|300.0000001"], true },
        { """{"n":[-0.5]}""", ["n|Number|-5e-1"], true },
        { """{"n":[{"numeric":["=",301.5]}]}""", ["n|Number|3.015e2"], true },
        { """{"n":[{"numeric":["=",301.5]}]}""", ["n|Number|301.6"], false },

        // Numeric ranges, at and just past each bound.
        { """{"n":[{"numeric":[">",0,"<=",150]}]}""", ["n|Number|150"], true },
        { """{"n":[{"numeric":[">",0,"<=",150]}]}""", ["n|Number|150.00001"], false },
        { """{"n":[{"numeric":[">",0,"<=",150]}]}""", ["n|Number|0"], false },
        { """{"n":[{"numeric":[">",0,"<=",150]}]}""", ["n|Number|0.00001"], true },
        { """{"n":[{"numeric":[">=",10,"<",20]}]}""", ["n|Number|10"], true },
        { """{"n":[{"numeric":[">=",10,"<",20]}]}""", ["n|Number|20"], false },
        { """{"n":[{"numeric":[">=",10,"<",20]}]}""", ["n|Number|19.99999"], true },
        { """{"n":[{"numeric":["<",0]}]}""", ["n|Number|-0.5"], true },
        { """{"n":[{"numeric":["<",0]}]}""", ["n|Number|0"], false },
        { """{"n":[{"numeric":["<=",10]}]}""", ["n|Number|10"], true },
        { """{"n":[{"numeric":[">=",10]}]}""", ["n|Number|9.99999"], false },
        { """{"n":[{"numeric":[">=",-1000000000,"<=",1000000000]}]}""", ["n|Number|-1000000000"], true },
        { """{"n":[{"numeric":[">=",-1000000000,"<=",1000000000]}]}""", ["n|Number|1000000000"], true },
        { """{"n":[{"numeric":[">=",-1000000000,"<=",1000000000]}]}""", ["n|Number|1000000001"], false },
        { """{"n":[{"numeric":["<",5]}]}""", ["n|Number|-2e9"], false },
        { """{"n":[{"numeric":[">",5]}]}""", ["n|String|6"], false },
        { """{"n":[{"numeric":[">",5]}]}""", ["n|Number|not-a-number"], false },

        // anything-but: single values, lists, numbers, prefix; never an absent key.
        { """{"s":[{"anything-but":"x"}]}""", ["s|String|y"], true },
        { """{"s":[{"anything-but":"x"}]}""", ["s|String|x"], false },
        { """{"s":[{"anything-but":"x"}]}""", ["other|String|y"], false },
        { """{"s":[{"anything-but":["rugby","tennis"]}]}""", ["s|String|baseball"], true },
        { """{"s":[{"anything-but":["rugby","tennis"]}]}""", ["s|String|tennis"], false },
        { """{"s":[{"anything-but":["v1","v2","v3","v4","v5","v6","v7","v8","v9","v10"]}]}""", ["s|String|v9"], false },
        { """{"s":[{"anything-but":["v1","v2","v3","v4","v5","v6","v7","v8","v9","v10"]}]}""", ["s|String|v11"], true },
        { """{"n":[{"anything-but":[100,500]}]}""", ["n|Number|101"], true },
        { """{"n":[{"anything-but":[100,500]}]}""", ["n|Number|100.1"], true },
        { """{"n":[{"anything-but":[100,500]}]}""", ["n|Number|100"], false },
        { """{"n":[{"anything-but":[100,500]}]}""", ["n|Number|1e2"], false },
        { """{"n":[{"anything-but":100}]}""", ["n|Number|500"], true },
        { """{"n":[{"anything-but":[100,500]}]}""", ["n|String|100"], true },
        { """{"s":[{"anything-but":["5"]}]}""", ["s|Number|5"], true },
        { """{"s":[{"anything-but":{"prefix":"order-"}}]}""", ["s|String|order-1"], false },
        { """{"s":[{"anything-but":{"prefix":"order-"}}]}""", ["s|String|refund-1"], true },
        { """{"s":[{"anything-but":"x"},{"exists":false}]}""", ["other|String|y"], true },

        // prefix, suffix, equals-ignore-case: strings only.
        { """{"s":[{"prefix":"bas"}]}""", ["s|String|baseball"], true },
        { """{"s":[{"prefix":"bas"}]}""", ["s|String|bas"], true },
        { """{"s":[{"prefix":"bas"}]}""", ["s|String|rugby"], false },
        { """{"s":[{"prefix":"bas"}]}""", ["s|String|Baseball"], false },
        { """{"s":[{"prefix":""}]}""", ["s|String|anything"], true },
        { """{"n":[{"prefix":""}]}""", ["n|Number|12"], false },
        { """{"n":[{"prefix":"1"}]}""", ["n|Number|12"], false },
        { """{"s":[{"suffix":"ball"}]}""", ["s|String|baseball"], true },
        { """{"s":[{"suffix":"ball"}]}""", ["s|String|ballet"], false },
        { """{"s":[{"suffix":""}]}""", ["s|String|x"], true },
        { """{"s":[{"equals-ignore-case":"TeNNis"}]}""", ["s|String|tennis"], true },
        { """{"s":[{"equals-ignore-case":"TeNNis"}]}""", ["s|String|TENNIS"], true },
        { """{"s":[{"equals-ignore-case":"TeNNis"}]}""", ["s|String|tennis!"], false },
        { """{"n":[{"equals-ignore-case":"5"}]}""", ["n|Number|5"], false },

        // exists, and the rule that a message without attributes matches nothing.
        { """{"s":[{"exists":true}]}""", ["s|String|x"], true },
        { """{"s":[{"exists":true}]}""", ["s|Number|99", "def|Number|99"], true },
        { """{"s":[{"exists":true}]}""", ["other|String|x"], false },
        { """{"s":[{"exists":false}]}""", ["other|String|x"], true },
        { """{"s":[{"exists":false}]}""", ["s|String|x"], false },
        { """{"s":[{"exists":false}]}""", [], false },
        { """{"s":[{"exists":false}]}""", ["blob|Binary|AQID"], false },

        // Binary attributes are ignored: as if absent.
        { """{"b":["AQID"]}""", ["b|Binary|AQID"], false },
        { """{"b":[{"exists":true}]}""", ["b|Binary|AQID", "s|String|x"], false },
        { """{"b":[{"exists":false}]}""", ["b|Binary|AQID", "s|String|x"], true },

        // Custom type labels keep the base type.
        { """{"s":["x"]}""", ["s|String.custom|x"], true },
        { """{"n":[1.5]}""", ["n|Number.float|1.5"], true },

        // cidr: IPv4 and IPv6; the range starts at the address as written.
        { """{"ip":[{"cidr":"10.0.0.0/24"}]}""", ["ip|String|10.0.0.0"], true },
        { """{"ip":[{"cidr":"10.0.0.0/24"}]}""", ["ip|String|10.0.0.255"], true },
        { """{"ip":[{"cidr":"10.0.0.0/24"}]}""", ["ip|String|10.0.1.0"], false },
        { """{"ip":[{"cidr":"10.0.0.5/24"}]}""", ["ip|String|10.0.0.4"], false },
        { """{"ip":[{"cidr":"10.0.0.5/24"}]}""", ["ip|String|10.0.0.5"], true },
        { """{"ip":[{"cidr":"0.0.0.0/0"}]}""", ["ip|String|203.0.113.9"], true },
        { """{"ip":[{"cidr":"10.0.0.0/8"}]}""", ["ip|String|::ffff:a00:1"], true },
        { """{"ip":[{"cidr":"10.0.0.0/8"}]}""", ["ip|String|::ffff:10.0.0.1"], false },
        { """{"ip":[{"cidr":"2001:db8::/32"}]}""", ["ip|String|2001:db8:ffff::1"], true },
        { """{"ip":[{"cidr":"2001:db8::/32"}]}""", ["ip|String|2001:DB8::1"], true },
        { """{"ip":[{"cidr":"2001:db8::/32"}]}""", ["ip|String|2001:db9::1"], false },
        { """{"ip":[{"cidr":"2001:db8::/32"}]}""", ["ip|String|10.0.0.1"], false },
        { """{"ip":[{"cidr":"::/0"}]}""", ["ip|String|::1"], true },
        { """{"ip":[{"cidr":"fe80::1:0/112"}]}""", ["ip|String|fe80::1:ffff"], true },
        { """{"ip":[{"cidr":"fe80::1:0/112"}]}""", ["ip|String|fe80::2:0"], false },
        { """{"ip":[{"cidr":"10.0.0.0/8"}]}""", ["ip|String|hello"], false },
        { """{"ip":[{"cidr":"10.0.0.0/8"}]}""", ["ip|String|10.256.0.1"], false },
        { """{"ip":[{"cidr":"10.0.0.0/8"}]}""", ["ip|Number|10"], false },

        // Which texts are IPv6 addresses.
        { """{"ip":[{"cidr":"::/0"}]}""", ["ip|String|::"], true },
        { """{"ip":[{"cidr":"::/0"}]}""", ["ip|String|1::"], true },
        { """{"ip":[{"cidr":"::/0"}]}""", ["ip|String|1:2:3:4:5:6:7:8"], true },
        { """{"ip":[{"cidr":"::/0"}]}""", ["ip|String|1:2:3:4:5:6:7::"], true },
        { """{"ip":[{"cidr":"::/0"}]}""", ["ip|String|1::2::3"], false },
        { """{"ip":[{"cidr":"::/0"}]}""", ["ip|String|12345::"], false },
        { """{"ip":[{"cidr":"::/0"}]}""", ["ip|String|1:2:3:4:5:6:7:8:9"], false },
        { """{"ip":[{"cidr":"::/0"}]}""", ["ip|String|1:2:3:4:5:6:7"], false },
        { """{"ip":[{"cidr":"::/0"}]}""", ["ip|String|:1::"], false },
        { """{"ip":[{"cidr":"::/0"}]}""", ["ip|String|1:"], false },
        { """{"ip":[{"cidr":"::/0"}]}""", ["ip|String|::ffff:a00:1"], false },
        { """{"ip":[{"cidr":"::/0"}]}""", ["ip|String|fe80::1%eth0"], false },

        // A string that is an address equals other spellings of it.
        { """{"ip":["::1"]}""", ["ip|String|0:0:0:0:0:0:0:1"], true },
        { """{"ip":["10.0.0.1"]}""", ["ip|String|10.0.0.1"], true },
        { """{"ip":["10.0.0.1"]}""", ["ip|String|10.0.0.2"], false },

        // String.Array: any element; each element keeps its JSON type.
        { """{"s":["rugby"]}""", ["s|String.Array|[\"soccer\",\"rugby\"]"], true },
        { """{"s":["rugby"]}""", ["s|String.Array|[\"soccer\"]"], false },
        { """{"s":[{"prefix":"ru"}]}""", ["s|String.Array|[\"soccer\",\"rugby\"]"], true },
        { """{"s":[2]}""", ["s|String.Array|[\"a\",2]"], true },
        { """{"s":["2"]}""", ["s|String.Array|[2]"], false },
        { """{"s":[true]}""", ["s|String.Array|[false,true]"], true },
        { """{"s":[null]}""", ["s|String.Array|[null]"], true },
        { """{"s":[{"numeric":[">",5]}]}""", ["s|String.Array|[1,10]"], true },
        { """{"s":[{"numeric":[">",5]}]}""", ["s|String.Array|[1,5]"], false },
        { """{"s":["a"]}""", ["s|String.Array|[{\"x\":\"a\"},[\"a\"]]"], false },
        { """{"s":["[\"a\"]"]}""", ["s|String.Array|[\"a\"]"], false },
        { """{"s":["not json"]}""", ["s|String.Array|not json"], false },
        { """{"s":[{"exists":true}]}""", ["s|String.Array|not json"], true },

        // anything-but on a String.Array: no element may be excluded.
        { """{"s":[{"anything-but":["rugby","tennis"]}]}""", ["s|String.Array|[\"baseball\",\"football\"]"], true },
        { """{"s":[{"anything-but":["rugby","tennis"]}]}""", ["s|String.Array|[\"rugby\",\"baseball\"]"], false },
        { """{"s":[{"anything-but":["rugby","tennis"]}]}""", ["s|String.Array|[]"], false },
        { """{"n":[{"anything-but":[100,500]}]}""", ["n|String.Array|[100,50]"], false },
        { """{"s":[{"anything-but":{"prefix":"x-"}}]}""", ["s|String.Array|[\"a\",\"b\"]"], true },

        // AND across keys, OR within a key.
        { """{"a":["1"],"b":["2"]}""", ["a|String|1", "b|String|2"], true },
        { """{"a":["1"],"b":["2"]}""", ["a|String|1"], false },
        { """{"a":["1"],"b":["2"]}""", ["a|String|1", "b|String|3"], false },
        { """{"customer_interests":["rugby"],"price_usd":[{"numeric":[">",100]}]}""", ["customer_interests|String|rugby", "price_usd|Number|100.5"], true },

        // $or at the top level and nested.
        { Or, ["source|String|aws.cloudwatch", "metricName|String|CPUUtilization"], true },
        { Or, ["source|String|aws.cloudwatch", "namespace|String|AWS/EC2"], true },
        { Or, ["source|String|aws.cloudwatch"], false },
        { Or, ["metricName|String|CPUUtilization", "namespace|String|AWS/EC2"], false },
        { NestedOr, ["source|String|aws.cloudwatch", "metricName|String|ReadLatency"], true },
        { NestedOr, ["source|String|aws.cloudwatch", "metricType|String|MetricType", "spaceId|Number|2000"], true },
        { NestedOr, ["source|String|aws.cloudwatch", "metricType|String|MetricType", "metricId|Number|4321"], true },
        { NestedOr, ["source|String|aws.cloudwatch", "metricType|String|MetricType", "metricId|Number|1"], false },
        { NestedOr, ["source|String|aws.cloudwatch", "metricType|String|MetricType"], false },

        // "$or" that does not qualify as the operator is an ordinary key.
        { """{"$or":["x"]}""", ["$or|String|x"], true },
    };

    public static TheoryData<string, string, bool> BodyMatches => new()
    {
        { """{"store":["fans"]}""", """{"store":"fans"}""", true },
        { """{"store":["fans"]}""", """{"store":"Fans"}""", false },
        { """{"store":["fans"]}""", """{"other":"fans"}""", false },
        { """{"object":{"key":[{"prefix":"auto-"}]}}""", """{"object":{"key":"auto-test"}}""", true },
        { """{"object":{"key":[{"prefix":"auto-"}]}}""", """{"object":{"key":"test-auto"}}""", false },
        { """{"object":{"key":[{"prefix":"auto-"}]}}""", """{"key":"auto-test"}""", false },
        { """{"a":{"b":{"c":["x"]}}}""", """{"a":{"b":{"c":"x"}}}""", true },
        { """{"status":["confirmed"],"before":{"owner":["0x0"]}}""", """{"status":"confirmed","before":{"owner":"0x0"}}""", true },
        { """{"status":["confirmed"],"before":{"owner":["0x0"]}}""", """{"status":"confirmed","owner":"0x0"}""", false },

        // Dots in names and nesting are interchangeable, in the policy and in the body.
        { """{"object.nested":["string.value"]}""", """{"object":{"nested":"string.value"}}""", true },
        { """{"object.nested":["string.value"]}""", """{"object.nested":"string.value"}""", true },
        { """{"object.nested":["string.value"]}""", """{"object":{"nested":"test-auto"}}""", false },
        { """{"object.nested.test":["v"]}""", """{"object.nested":{"test":"v"}}""", true },
        { """{"object.nested.test":["v"]}""", """{"object":{"nested.test":"v"}}""", true },
        { """{"object":{"nested":["v"]}}""", """{"object.nested":"v"}""", true },

        // Arrays match when any element does, at any depth of nesting.
        { """{"headers":{"route-to":["queue1"]}}""", """{"headers":{"route-to":["queue3","queue1"]}}""", true },
        { """{"headers":{"route-to":["queue1"]}}""", """{"headers":{"route-to":["queue2"]}}""", false },
        { """{"headers":{"route-to":["queue1"]}}""", """{"headers":{"route-to":[]}}""", false },
        { """{"a":{"b":["x"]}}""", """{"a":[{"b":"y"},{"b":"x"}]}""", true },
        { """{"a":{"b":["x"]}}""", """{"a":[[{"b":"x"}]]}""", true },
        { S3Records, S3AutoCreated, true },
        { S3Records, S3AutoRemoved, false },
        { S3Records, S3HomeCreated, false },
        { S3Records, S3MultipleRecords, true },

        // Numbers, booleans and null keep their JSON types.
        { """{"price":[300]}""", """{"price":300.0}""", true },
        { """{"price":[300]}""", """{"price":3e2}""", true },
        { """{"price":[300]}""", """{"price":"300"}""", false },
        { """{"price":["300"]}""", """{"price":300}""", false },
        { """{"price":[{"numeric":[">",100]}]}""", """{"price":[50,150]}""", true },
        { """{"price":[{"numeric":[">",100]}]}""", """{"price":[50,100]}""", false },
        { """{"price":[{"numeric":["<",100]}]}""", """{"price":1e400}""", false },
        { """{"flag":[true]}""", """{"flag":true}""", true },
        { """{"flag":[true]}""", """{"flag":"true"}""", false },
        { """{"flag":[false]}""", """{"flag":false}""", true },
        { """{"flag":[false]}""", """{"flag":null}""", false },
        { """{"x":[null]}""", """{"x":null}""", true },
        { """{"x":[null]}""", """{"y":1}""", false },

        // exists looks at leaves: a null, an empty string, an object or an empty array is not there.
        { """{"x":[{"exists":true}]}""", """{"x":1}""", true },
        { """{"x":[{"exists":true}]}""", """{"x":[null,"a"]}""", true },
        { """{"x":[{"exists":true}]}""", """{"x":null}""", false },
        { """{"x":[{"exists":true}]}""", """{"x":""}""", false },
        { """{"x":[{"exists":true}]}""", """{"x":{"y":1}}""", false },
        { """{"x":[{"exists":true}]}""", """{"x":[]}""", false },
        { """{"x":[{"exists":false}]}""", """{"y":1}""", true },
        { """{"x":[{"exists":false}]}""", """{"x":1}""", false },
        { """{"x":[{"exists":false}]}""", """{"x":null}""", true },
        { """{"x":[{"exists":false}]}""", """{}""", false },
        { """{"x":{"y":[{"exists":false}]}}""", """{"x":{"z":1}}""", true },

        // A body that is not a JSON object matches nothing.
        { """{"x":[{"exists":false}]}""", "Regular string message", false },
        { """{"x":[{"exists":false}]}""", "\"Regular string message\"", false },
        { """{"x":[{"exists":false}]}""", "[1,2]", false },
        { """{"x":[{"exists":false}]}""", "", false },
        { """{"x":[{"exists":false}]}""", """{"y":1""", false },
        { """{"x":[{"exists":false}]}""", """{"y":1} trailing""", false },

        // The other operators on body values.
        { """{"s":[{"anything-but":["rugby","tennis"]}]}""", """{"s":["rugby","baseball"]}""", true },
        { """{"s":[{"anything-but":["rugby","tennis"]}]}""", """{"s":["rugby"]}""", false },
        { """{"s":[{"anything-but":["rugby","tennis"]}]}""", """{"s":null}""", true },
        { """{"s":[{"anything-but":["rugby","tennis"]}]}""", """{"t":"x"}""", false },
        { """{"n":[{"anything-but":[100,500]}]}""", """{"n":[100,50]}""", true },
        { """{"n":[{"anything-but":[100,500]}]}""", """{"n":100}""", false },
        { """{"s":[{"suffix":"ball"}]}""", """{"s":"football"}""", true },
        { """{"s":[{"equals-ignore-case":"BOB"}]}""", """{"s":"bob"}""", true },
        { """{"ip":[{"cidr":"192.168.0.0/16"}]}""", """{"ip":"192.168.3.4"}""", true },
        { """{"ip":[{"cidr":"192.168.0.0/16"}]}""", """{"ip":"192.169.3.4"}""", false },

        // One policy, several bodies.
        { AutoPrefix, """{"object":{"key":"auto-test"}}""", true },
        { AutoPrefix, """{"object":{"key":"hardcodedvalue"}}""", true },
        { AutoPrefix, """{"object":{"key":"test-auto"}}""", false },
        { AutoPrefix, """{"object":{"key":"auto-test"},"test":"just-exists"}""", false },
        { AutoPrefix, """{"object":{"key":"auto-test","nested_key":"just-exists"}}""", false },
        { AutoPrefix, """{"object":{"test":"auto-test"}}""", false },
        { AutoPrefix, """{"test":"auto-test"}""", false },

        // $or, top level and nested in an object.
        { BodyOr, """{"metricName":"CPUUtilization","detail":{"scope":"aws.cloudwatch","type":"CloudWatch Alarm State Change"}}""", false },
        { BodyOr, """{"metricName":"CPUUtilization","detail":{"scope":"Service","type":"CPUUtilization"}}""", false },
        { BodyOr, """{"metricName":"CPUUtilization","detail":{"type":"CloudWatch Alarm State Change"}}""", false },
        { BodyOr, """{"metricName":"CPUUtilization","detail":{"scope":"Service"}}""", false },
        { BodyOr, """{"metricName":"CPUUtilization","scope":"Service"}""", false },
        { BodyOr, """{"metricName":"CPUUtilization","detail":{"scope":"Service","source":"aws.cloudwatch"}}""", true },
        { BodyOr, """{"metricName":"ReadLatency","detail":{"scope":"Service","source":"aws.cloudwatch"}}""", true },
        { BodyOr, """{"namespace":"AWS/EC2","detail":{"scope":"Service","source":"aws.cloudwatch"}}""", true },
        { BodyOr, """{"namespace":"AWS/ES","detail":{"scope":"Service","source":"aws.cloudwatch"}}""", true },
        { BodyOr, """{"metricName":"CPUUtilization","detail":{"scope":"Service","type":"CloudWatch Alarm State Change"}}""", true },
        { BodyOr, """{"metricName":"AWS/EC2","detail":{"scope":"Service","type":"CloudWatch Alarm State Change"}}""", false },
        { BodyOr, """{"namespace":"CPUUtilization","detail":{"scope":"Service","type":"CloudWatch Alarm State Change"}}""", false },
    };

    /// <summary>Policies SNS refuses, with the text it puts after <c>Invalid parameter: FilterPolicy: </c>.</summary>
    public static TheoryData<FilterPolicyScope, string, string> Refusals => new()
    {
        // Syntax of the policy as a whole.
        { Attributes, "", "failed to parse JSON." },
        { Attributes, "{invalidjson}", "failed to parse JSON." },
        { Attributes, """{"a":["x"],}""", "failed to parse JSON." },
        { Attributes, "[]", "Filter is not an object" },
        { Attributes, "\"a\"", "Filter is not an object" },
        { Attributes, "{}", "Empty objects are not allowed" },
        { Body, """{"a":{}}""", "Empty objects are not allowed" },
        { Attributes, """{"key_a":"value_one"}""", "\"key_a\" must be an object or an array" },
        { Body, """{"key_a":"value_one"}""", "\"key_a\" must be an object or an array" },
        { Attributes, """{"a":1}""", "\"a\" must be an object or an array" },
        { Attributes, """{"a":null}""", "\"a\" must be an object or an array" },
        { Attributes, """{"key":{"suffix":"value"}}""", "\"suffix\" must be an object or an array" },
        { Attributes, """{"key":{"suffix":"value","prefix":"value"}}""", "\"suffix\" must be an object or an array" },
        { Attributes, """{"key":{"not-an-operator":"value"}}""", "\"not-an-operator\" must be an object or an array" },
        { Attributes, """{"Amount":[]}""", "Empty arrays are not allowed" },
        { Attributes, """{"key":[["value"]]}""", "Match value must be String, number, true, false, or null" },

        // Match expressions.
        { Attributes, """{"key":[{"wrong-operator":true}]}""", "Unrecognized match type wrong-operator" },
        { Attributes, """{"store":[{"error":true}]}""", "Unrecognized match type error" },
        { Attributes, """{"key":[{"wildcard":"a*"}]}""", "Unrecognized match type wildcard" },
        { Attributes, """{"key":[{}]}""", "Match expression name not found" },
        { Attributes, """{"key":[{"suffix":"value","prefix":"value2"}]}""", "Only one key allowed in match expression" },
        { Attributes, """{"key":[{"suffix":100,"prefix":"value2"}]}""", "suffix match pattern must be a string" },
        { Attributes, """{"key":[{"suffix":100}]}""", "suffix match pattern must be a string" },
        { Attributes, """{"key":[{"suffix":null}]}""", "suffix match pattern must be a string" },
        { Attributes, """{"key":[{"suffix":[]}]}""", "suffix match pattern must be a string" },
        { Attributes, """{"key":[{"suffix":["test","test2"]}]}""", "suffix match pattern must be a string" },
        { Attributes, """{"key":[{"prefix":1}]}""", "prefix match pattern must be a string" },
        { Attributes, """{"key":[{"equals-ignore-case":1}]}""", "equals-ignore-case match pattern must be a string" },
        { Attributes, """{"key":[{"exists":null}]}""", "exists match pattern must be either true or false." },
        { Attributes, """{"key":[{"exists":"no"}]}""", "exists match pattern must be either true or false." },
        { Attributes, """{"key":[{"exists":true,"prefix":"a"}]}""", "Only one key allowed in match expression" },

        // numeric.
        { Attributes, """{"key":[{"numeric":5}]}""", "Value of numeric must be an array." },
        { Attributes, """{"key":[{"numeric":[]}]}""", "Invalid member in numeric match: ]" },
        { Attributes, """{"key":[{"numeric":["operator"]}]}""", "Unrecognized numeric range operator: operator" },
        { Attributes, """{"key":[{"numeric":["0"]}]}""", "Unrecognized numeric range operator: 0" },
        { Attributes, """{"key":[{"numeric":[1,"<="]}]}""", "Invalid member in numeric match: 1" },
        { Attributes, """{"key":[{"numeric":[50,"<=","100"]}]}""", "Invalid member in numeric match: 50" },
        { Attributes, """{"key":[{"numeric":[true]}]}""", "Invalid member in numeric match: true" },
        { Attributes, """{"key":[{"numeric":[{"a":1}]}]}""", "Invalid member in numeric match: {" },
        { Attributes, """{"key":[{"numeric":["=","000"]}]}""", "Value of equals must be numeric" },
        { Attributes, """{"key":[{"numeric":["="]}]}""", "Value of equals must be numeric" },
        { Attributes, """{"key":[{"numeric":["=",1,2]}]}""", "Too many elements in numeric expression" },
        { Attributes, """{"key":[{"numeric":[">="]}]}""", "Value of >= must be numeric" },
        { Attributes, """{"key":[{"numeric":["<","100"]}]}""", "Value of < must be numeric" },
        { Attributes, """{"key":[{"numeric":["<"]}]}""", "Value of < must be numeric" },
        { Attributes, """{"key":[{"numeric":["<=",1,2]}]}""", "Too many elements in numeric expression" },
        { Attributes, """{"key":[{"numeric":["<",100,">",10]}]}""", "Too many elements in numeric expression" },
        { Attributes, """{"key":[{"numeric":[">=",1,">",2]}]}""", "Bad numeric range operator: >" },
        { Attributes, """{"key":[{"numeric":[">",20,"test"]}]}""", "Bad numeric range operator: test" },
        { Attributes, """{"key":[{"numeric":[">",20,30]}]}""", "Bad value in numeric range: 30" },
        { Attributes, """{"key":[{"numeric":[">",20,"<="]}]}""", "Value of <= must be numeric" },
        { Attributes, """{"key":[{"numeric":[">","20","<","30"]}]}""", "Value of > must be numeric" },
        { Attributes, """{"key":[{"numeric":[">",20,"<","30"]}]}""", "Value of < must be numeric" },
        { Attributes, """{"key":[{"numeric":[">",50,"<=","100"]}]}""", "Value of <= must be numeric" },
        { Attributes, """{"key":[{"numeric":[">",20,"<",30,"<",50]}]}""", "Too many terms in numeric range expression" },
        { Attributes, """{"key":[{"numeric":[">",3,"<",1]}]}""", "Bottom must be less than top" },
        { Attributes, """{"key":[{"numeric":[">=",5,"<=",5]}]}""", "Bottom must be less than top" },
        { Attributes, """{"key":[{"numeric":[">",1],"prefix":"a"}]}""", "Too many elements in numeric expression" },

        // Numbers outside ±10⁹.
        { Attributes, """{"key":[{"numeric":[">",1000000001]}]}""", "Value must be between -1.0E9 and 1.0E9, inclusive" },
        { Attributes, """{"key":[{"numeric":[">",0,"<",1e400]}]}""", "Value must be between -1.0E9 and 1.0E9, inclusive" },
        { Attributes, """{"key":[1000000001]}""", "Value must be between -1.0E9 and 1.0E9, inclusive" },
        { Attributes, """{"key":[-1e10]}""", "Value must be between -1.0E9 and 1.0E9, inclusive" },
        { Attributes, """{"key":[{"anything-but":[2e9]}]}""", "Value must be between -1.0E9 and 1.0E9, inclusive" },

        // anything-but.
        { Attributes, """{"key":[{"anything-but":{"wrong-operator":null}}]}""", "Unsupported anything-but pattern: wrong-operator" },
        { Attributes, """{"key":[{"anything-but":{"suffix":"test"}}]}""", "Unsupported anything-but pattern: suffix" },
        { Attributes, """{"key":[{"anything-but":{"exists":false}}]}""", "Unsupported anything-but pattern: exists" },
        { Attributes, """{"key":[{"anything-but":{"equals-ignore-case":"a"}}]}""", "Unsupported anything-but pattern: equals-ignore-case" },
        { Attributes, """{"key":[{"anything-but":{"prefix":false}}]}""", "prefix match pattern must be a string" },
        { Attributes, """{"key":[{"anything-but":{"prefix":""}}]}""", "Null prefix not allowed" },
        { Attributes, """{"key":[{"anything-but":{}}]}""", "Anything-But expression name not found" },
        { Attributes, """{"key":[{"anything-but":{"prefix":"a","x":1}}]}""", "Only one key allowed in match expression" },
        { Attributes, """{"key":[{"anything-but":{"prefix":"a"},"x":1}]}""", "Only one key allowed in match expression" },
        { Attributes, """{"key":[{"anything-but":"a","x":1}]}""", "Too many elements in numeric expression" },
        { Attributes, """{"key":[{"anything-but":true}]}""", "Value of anything-but must be an array or single string/number value." },
        { Attributes, """{"key":[{"anything-but":null}]}""", "Value of anything-but must be an array or single string/number value." },
        { Attributes, """{"key":[{"anything-but":[null]}]}""", "Inside anything but list, start|null|boolean is not supported." },
        { Attributes, """{"key":[{"anything-but":[["a"]]}]}""", "Inside anything but list, start|null|boolean is not supported." },
        { Attributes, """{"key":[{"anything-but":["a",1]}]}""", "Inside anything but list, either all values are number or string, mixed type is not supported" },
        { Attributes, """{"key":[{"anything-but":[]}]}""", "Inside anything but list, either all values are number or string, mixed type is not supported" },

        // cidr.
        { Attributes, """{"ip":[{"cidr":1}]}""", "prefix match pattern must be a string" },
        { Attributes, """{"ip":[{"cidr":"10.0.0.0"}]}""", "Malformed CIDR, one '/' required" },
        { Attributes, """{"ip":[{"cidr":"10.0.0.0/8/8"}]}""", "Malformed CIDR, one '/' required" },
        { Attributes, """{"ip":[{"cidr":"10.0.0.0/x"}]}""", "Malformed CIDR, mask bits must be an integer" },
        { Attributes, """{"ip":[{"cidr":"10.0.0.0/-1"}]}""", "Malformed CIDR, mask bits must not be negative" },
        { Attributes, """{"ip":[{"cidr":"foo/8"}]}""", "Nonstandard IP address: foo" },
        { Attributes, """{"ip":[{"cidr":"256.0.0.0/8"}]}""", "Invalid IP address: 256.0.0.0" },
        { Attributes, """{"ip":[{"cidr":"1:2/8"}]}""", "Invalid IP address: 1:2" },
        { Attributes, """{"ip":[{"cidr":"10.0.0.0/32"}]}""", "IPv4 mask bits must be < 32" },
        { Attributes, """{"ip":[{"cidr":"::/128"}]}""", "IPv6 mask bits must be < 128" },

        // $or that does not qualify is read again as an ordinary key.
        { Attributes, """{"$or":[{"a":["x"]}]}""", "Unrecognized match type a" },
        { Attributes, """{"$or":[{"prefix":["x"]},{"b":["y"]}]}""", "prefix match pattern must be a string" },
        { Attributes, """{"$or":[{"exists":true},{"b":["y"]}]}""", "Unrecognized match type b" },
        { Attributes, """{"$or":[{"numeric":123},{"prefix":"abc"}]}""", "Value of numeric must be an array." },

        // Limits: keys, combinations, size.
        { Attributes, SixKeys, "Filter policy can not have more than 5 keys" },
        { Body, SixKeys, "Filter policy can not have more than 5 keys" },
        { Body, """{"a":{"b":["1"],"c":["1"],"d":["1"]},"e":{"f":["1"],"g":["1"],"h":["1"]}}""", "Filter policy can not have more than 5 keys" },
        { Attributes, """{"a":[1],"$or":[{"b":[1],"c":[1]},{"d":[1],"e":[1],"f":[1]}]}""", "Filter policy can not have more than 5 keys" },
        { Attributes, ValuesPolicy(("key", 151)), "Filter policy is too complex" },
        { Attributes, ValuesPolicy(("key1", 100), ("key2", 51)), "Filter policy is too complex" },
        { Body, NestedTooComplex, "Filter policy is too complex" },
        { Attributes, OrTooComplex, "Filter policy is too complex" },
        { Body, BodyOrTooComplex, "Filter policy is too complex" },
        { Attributes, "{\"a\":[\"" + new string('x', FilterPolicy.MaxSizeInBytes) + "\"]}", "Filter policy can not be larger than 256 KB" },
        { Attributes, new string('{', 40) + "\"a\":" + new string('{', 40) + "\"b\":[\"x\"]" + new string('}', 80), "failed to parse JSON." },
    };

    public const FilterPolicyScope Attributes = FilterPolicyScope.MessageAttributes;
    public const FilterPolicyScope Body = FilterPolicyScope.MessageBody;

    public const string Or = """{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"namespace":["AWS/EC2"]}]}""";

    public const string NestedOr = """
        {"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization","ReadLatency"]},
         {"metricType":["MetricType"],"$or":[{"metricId":[1234,4321]},{"spaceId":[1000,2000,3000]}]}]}
        """;

    public const string AutoPrefix = """
        {"object":{"key":[{"prefix":"auto-"},"hardcodedvalue"],"nested_key":[{"exists":false}]},"test":[{"exists":false}]}
        """;

    public const string BodyOr = """
        {"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}],
         "detail":{"scope":["Service"],"$or":[{"source":["aws.cloudwatch"]},{"type":["CloudWatch Alarm State Change"]}]}}
        """;

    public const string S3Records = """{"Records":{"s3":{"object":{"key":[{"prefix":"auto-"}]}},"eventName":[{"prefix":"ObjectCreated:"}]}}""";
    public const string S3AutoCreated = """{"Records":[{"eventName":"ObjectCreated:Put","s3":{"object":{"key":"auto-insurance-2314.xml","size":17}}}]}""";
    public const string S3AutoRemoved = """{"Records":[{"eventName":"ObjectRemoved:Delete","s3":{"object":{"key":"auto-insurance-2314.xml","size":17}}}]}""";
    public const string S3HomeCreated = """{"Records":[{"eventName":"ObjectCreated:Put","s3":{"object":{"key":"home-insurance-2314.xml","size":17}}}]}""";
    public const string S3MultipleRecords = """
        {"Records":[{"eventName":"ObjectCreated:Put","s3":{"object":[[{"key":"auto-insurance-2314.xml","size":17}]]}},
                    {"eventName":"ObjectRemoved:Delete","s3":{"object":{"key":"home-insurance-2314.xml","size":17}}}]}
        """;

    public const string SixKeys = """{"key_a":["value_one"],"key_b":["value_two"],"key_c":["value_three"],"key_d":["value_four"],"key_e":["value_five"],"key_f":["value_six"]}""";

    /// <summary>3×4 (four values, depth 3) × 2×3 (three values, depth 2) × 1×3 = 216.</summary>
    public const string NestedTooComplex = """
        {"key_a":{"key_b":{"key_c":["value_one","value_two","value_three","value_four"]}},
         "key_d":{"key_e":["value_one","value_two","value_three"]},"key_f":["value_one","value_two","value_three"]}
        """;

    /// <summary>(4×6) + (4×4×4) + (4×4×4) = 152.</summary>
    public const string OrTooComplex = """
        {"source":["aws.cloudwatch","aws.events","aws.test","aws.test2"],
         "$or":[{"metricName":["CPUUtilization","ReadLatency","t1","t2","t3","t4"]},
                {"metricType":["MetricType","TestType","TestType2","TestType3"],
                 "$or":[{"metricId":[1234,4321,5678,9012]},{"spaceId":[1,2,3,4]}]}]}
        """;

    /// <summary>(3×6) + (3×4×4) + (3×4×7) = 150: exactly at the limit.</summary>
    public const string OrAtLimit = """
        {"source":["aws.cloudwatch","aws.events","aws.test"],
         "$or":[{"metricName":["CPUUtilization","ReadLatency","TestVal","TestVal2","TestVal3","TestVal4"]},
                {"metricType":["MetricType","TestType","TestType2","TestType3"],
                 "$or":[{"metricId":[1234,4321,5678,9012]},{"spaceId":[1,2,3,4,5,6,7]}]}]}
        """;

    /// <summary>Nested keys count their depth: (3×4×2) + (3×4×6) + (2×4×2) + (2×4×6) = 160.</summary>
    public const string BodyOrTooComplex = """
        {"$or":[{"metricName":["CPUUtilization","ReadLatency","TestValue"]},{"namespace":["AWS/EC2","AWS/ES"]}],
         "detail":{"scope":["Service","Test"],
                   "$or":[{"source":["aws.cloudwatch"]},{"type":["CloudWatch Alarm State Change","TestValue","TestValue2"]}]}}
        """;

    /// <summary>A policy whose keys each hold the given number of distinct string values.</summary>
    public static string ValuesPolicy(params (string Key, int Count)[] keys) =>
        "{" + string.Join(",", keys.Select(k => $"\"{k.Key}\":[" + string.Join(",", Enumerable.Range(0, k.Count).Select(i => $"\"value{i}\"")) + "]")) + "}";
}
