using System.Net;
using Ferry.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ferry.Server.Tests;

/// <summary>
/// Builds (without starting) hosts from files, environment variables and switches. Runs alone because it sets
/// process-wide environment variables.
/// </summary>
[Collection(EnvironmentCollection.Name)]
public sealed class ConfigurationTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private FerrySettings Build(params string[] args)
    {
        var app = FerryHost.Build(args, configDirectory: _dir.Path, currentDirectory: _dir.Path);
        return app.Settings;
    }

    private void WriteAppSettings(string json) => File.WriteAllText(_dir.Combine("appsettings.json"), json);

    [Fact]
    public void NoConfiguration_UsesDefaults()
    {
        var settings = Build();

        Assert.Equal(IPAddress.Loopback, settings.ListenAddress);
        Assert.Equal(4566, settings.Port);
        Assert.Equal(Durability.Fsync, settings.Durability);
        Assert.Equal(_dir.Combine("data"), settings.DataDirectory);
        Assert.Equal(_dir.Combine("data", "journal"), settings.JournalDirectory);
        Assert.Equal("us-east-1", settings.Region);
        Assert.Equal("000000000000", settings.AccountId);
    }

    [Fact]
    public void Sources_CommandLineBeatsEnvironmentBeatsAppSettings()
    {
        WriteAppSettings("""
            { "Ferry": { "Port": 1111, "Region": "eu-west-1", "Durability": "none", "AccountId": "111111111111" } }
            """);
        using var env = new EnvironmentVariables(("FERRY__PORT", "2222"), ("FERRY__REGION", "eu-central-1"), ("FERRY__ACCOUNTID", "222222222222"));

        var settings = Build("--port", "3333", "--Ferry:AccountId=333333333333");

        Assert.Equal(3333, settings.Port);
        Assert.Equal("333333333333", settings.AccountId);
        Assert.Equal("eu-central-1", settings.Region);
        Assert.Equal(DurabilityMode.None, settings.Durability.Mode);
    }

    [Fact]
    public void EnvironmentVariables_MapDoubleUnderscoreToSection()
    {
        using var env = new EnvironmentVariables(
            ("FERRY__DATADIRECTORY", "/var/lib/ferry"), ("FERRY__DURABILITY", "interval:10"), ("FERRY__LISTEN", "0.0.0.0"));

        var settings = Build();

        Assert.Equal("/var/lib/ferry", settings.DataDirectory);
        Assert.Equal(new Durability(DurabilityMode.Interval, 10), settings.Durability);
        Assert.Equal(IPAddress.Any, settings.ListenAddress);
    }

    [Fact]
    public void Switches_SetEverySetting()
    {
        var settings = Build(
            "--port=0", "--listen", "::1", "--data", "relative/dir", "--durability", "interval:250",
            "--region", "ap-southeast-2", "--account-id", "123456789012");

        Assert.Equal(0, settings.Port);
        Assert.Equal(IPAddress.IPv6Loopback, settings.ListenAddress);
        Assert.Equal(_dir.Combine("relative", "dir"), settings.DataDirectory);
        Assert.Equal(new Durability(DurabilityMode.Interval, 250), settings.Durability);
        Assert.Equal("ap-southeast-2", settings.Region);
        Assert.Equal("123456789012", settings.AccountId);
    }

    [Fact]
    public void CheckpointInterval_DefaultsToTwoMinutes_AndIsSetInMilliseconds()
    {
        Assert.Equal(TimeSpan.FromMinutes(2), Build().CheckpointInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(250), Build("--Ferry:CheckpointInterval=250").CheckpointInterval);
    }

    [Fact]
    public void InlineIo_IsOnByDefault_AndCanBeTurnedOff()
    {
        Assert.True(Build().InlineIo);
        Assert.False(Build("--Ferry:InlineIo=false").InlineIo);
    }

    [Fact]
    public void EventLoops_AreOnByDefault_AndCanBeTurnedOffEachOnItsOwn()
    {
        Assert.True(Build().Redis.EventLoop);
        Assert.True(Build().HttpEventLoop);
        Assert.False(Build("--Ferry:RedisEventLoop=false").Redis.EventLoop);
        Assert.True(Build("--Ferry:RedisEventLoop=false").HttpEventLoop);
        Assert.False(Build("--Ferry:HttpEventLoop=false").HttpEventLoop);
        Assert.True(Build("--Ferry:HttpEventLoop=false").Redis.EventLoop);
    }

    [Fact]
    public async Task RequestLogging_IsOffByDefault_AndCanBeTurnedOn()
    {
        // Enabled at any level, ASP.NET Core's hosting category costs an Activity and a logging scope per request.
        await using var plain = FerryHost.Build([], configDirectory: _dir.Path, currentDirectory: _dir.Path);
        await using var logging = FerryHost.Build(
            [$"--Logging:LogLevel:{FerryHost.HostingDiagnosticsCategory}=Information"], configDirectory: _dir.Path, currentDirectory: _dir.Path);

        Assert.False(Enabled(plain));
        Assert.True(Enabled(logging));

        static bool Enabled(FerryApp app) => app.Services.GetRequiredService<ILoggerFactory>()
            .CreateLogger(FerryHost.HostingDiagnosticsCategory).IsEnabled(LogLevel.Critical);
    }

    [Fact]
    public void MemoryDurability_HasNoDataDirectory()
    {
        var settings = Build("--durability", "memory");

        Assert.Null(settings.DataDirectory);
        Assert.Null(settings.JournalDirectory);
        Assert.Equal("memory", settings.DataDescription);
    }

    [Theory]
    [InlineData("--port", "70000", "Ferry:Port (--port) must be a whole number from 0 to 65535, not '70000'.")]
    [InlineData("--port", "-1", "Ferry:Port (--port) must be a whole number from 0 to 65535, not '-1'.")]
    [InlineData("--port", "http", "Ferry:Port (--port) must be a whole number from 0 to 65535, not 'http'.")]
    [InlineData("--listen", "example.com", "Ferry:Listen (--listen) must be an IP address")]
    [InlineData("--durability", "sometimes", "Ferry:Durability (--durability): ")]
    [InlineData("--durability", "interval:", "Ferry:Durability (--durability): ")]
    [InlineData("--region", "Mars", "Ferry:Region (--region) must look like an AWS region")]
    [InlineData("--account-id", "42", "Ferry:AccountId (--account-id) must be 12 digits, not '42'.")]
    [InlineData("--data", "", "Ferry:DataDirectory (--data) must name a directory unless durability is memory.")]
    [InlineData("--Ferry:CheckpointInterval", "5", "Ferry:CheckpointInterval must be a number of milliseconds of at least 10, not '5'.")]
    [InlineData("--Ferry:CheckpointInterval", "2m", "Ferry:CheckpointInterval must be a number of milliseconds of at least 10, not '2m'.")]
    [InlineData("--Ferry:InlineIo", "sometimes", "Ferry:InlineIo must be true or false, not 'sometimes'.")]
    [InlineData("--Ferry:RedisEventLoop", "sometimes", "Ferry:RedisEventLoop must be true or false, not 'sometimes'.")]
    [InlineData("--Ferry:HttpEventLoop", "1", "Ferry:HttpEventLoop must be true or false, not '1'.")]
    public void InvalidValue_IsRejectedWithOneClearLine(string option, string value, string expected)
    {
        var e = Assert.Throws<FerryConfigurationException>(() => Build(option, value));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void InvalidValue_InEnvironment_IsRejected()
    {
        using var env = new EnvironmentVariables(("FERRY__PORT", "four"));

        var e = Assert.Throws<FerryConfigurationException>(() => Build());

        Assert.Contains("not 'four'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SeveralInvalidValues_AreAllNamed()
    {
        var e = Assert.Throws<FerryConfigurationException>(() => Build("--port", "x", "--durability", "y"));

        Assert.Contains("Ferry:Port", e.Message, StringComparison.Ordinal);
        Assert.Contains("Ferry:Durability", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--prot", "5000" }, "unknown option '--prot' (see --help).")]
    [InlineData(new[] { "--port" }, "option '--port' needs a value.")]
    [InlineData(new[] { "5000" }, "unexpected argument '5000' (see --help).")]
    [InlineData(new[] { "-p", "5000" }, "unexpected argument '-p' (see --help).")]
    [InlineData(new[] { "--Ferry:Prot=5000" }, "Ferry:Prot is not a Ferry setting")]
    public void UnknownArgument_IsRejected(string[] args, string expected)
    {
        var e = Assert.Throws<FerryConfigurationException>(() => Build(args));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownSetting_InAppSettings_IsRejected()
    {
        WriteAppSettings("""{ "Ferry": { "Prot": 1 } }""");

        var e = Assert.Throws<FerryConfigurationException>(() => Build());

        Assert.Contains("Ferry:Prot is not a Ferry setting", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedAppSettings_IsRejected()
    {
        WriteAppSettings("{ \"Ferry\": ");

        Assert.Throws<FerryConfigurationException>(() => Build());
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentCollection
{
    public const string Name = "Process environment";
}

/// <summary>Sets process environment variables and restores their previous values on dispose.</summary>
internal sealed class EnvironmentVariables : IDisposable
{
    private readonly List<(string Name, string? Previous)> _saved = [];

    public EnvironmentVariables(params (string Name, string Value)[] variables)
    {
        foreach (var (name, value) in variables)
        {
            _saved.Add((name, Environment.GetEnvironmentVariable(name)));
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    public void Dispose()
    {
        foreach (var (name, previous) in _saved)
        {
            Environment.SetEnvironmentVariable(name, previous);
        }
    }
}
