using System.Xml.Linq;
using Ferry.Engine;
using Ferry.Engine.Tests;
using Ferry.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ferry.Aws.Tests.Sns;

/// <summary>
/// Kestrel on 127.0.0.1 with the AWS faces over a real broker on an in-memory journal and a manual clock: SNS
/// requests go through the HTTP front door, deliveries reach real queues and real HTTP endpoints.
/// </summary>
public sealed class SnsTestServer : IAsyncDisposable
{
    private WebApplication _app = null!;
    private Journal _journal = null!;

    internal ManualTimeProvider Clock { get; } = new();

    internal Broker Broker { get; private set; } = null!;

    internal Journal Journal => _journal;

    public Uri Address { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public static async Task<SnsTestServer> StartAsync()
    {
        var server = new SnsTestServer();
        await server.InitializeAsync();
        return server;
    }

    private async Task InitializeAsync()
    {
        _journal = await Journal.OpenAsync(new JournalOptions { Directory = "memory", Durability = Durability.Memory });
        Broker = Broker.Open(_journal, new BrokerOptions(), Clock, startMaintenance: false);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(Clock);
        builder.Services.AddFerryAws(_ => () => Broker, new Ferry.Aws.Sns.SnsOptions { PushConcurrency = 4 });
        _app = builder.Build();
        _app.MapFerryAws();
        await _app.StartAsync();
        Address = new Uri(_app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        AwsServices.AttachFerryTopics(_app.Services, Address.GetLeftPart(UriPartial.Authority));
        AwsServices.StartFerryTopics(_app.Services, Address.GetLeftPart(UriPartial.Authority));
        Client = new HttpClient { BaseAddress = Address };
    }

    /// <summary>Posts a Query request (Version 2010-03-31) and parses the XML answer.</summary>
    public async Task<(int Status, XElement Xml)> CallAsync(string action, params (string Name, string Value)[] parameters)
    {
        var form = new List<KeyValuePair<string, string>> { new("Action", action), new("Version", "2010-03-31") };
        form.AddRange(parameters.Select(p => new KeyValuePair<string, string>(p.Name, p.Value)));
        using var response = await Client.PostAsync("/", new FormUrlEncodedContent(form));
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, XElement.Parse(text));
    }

    /// <summary>A call that must succeed: its result element.</summary>
    public async Task<XElement> OkAsync(string action, params (string Name, string Value)[] parameters)
    {
        var (status, xml) = await CallAsync(action, parameters);
        Assert.True(status == 200, $"{action} answered {status}: {xml}");
        return xml;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await AwsServices.StopFerryTopicsAsync(_app.Services);
        await _app.DisposeAsync();
        await Broker.DisposeAsync();
        await _journal.DisposeAsync();
    }
}

/// <summary>XML helpers for SNS answers.</summary>
internal static class SnsXml
{
    public static readonly XNamespace Ns = "http://sns.amazonaws.com/doc/2010-03-31/";

    public static string Value(this XElement xml, string name) =>
        xml.Descendants(Ns + name).First().Value;

    public static (string Code, string Message) Error(this XElement xml) =>
        (xml.Descendants(Ns + "Code").Single().Value, xml.Descendants(Ns + "Message").Single().Value);
}
