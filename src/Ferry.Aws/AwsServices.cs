using Ferry.Aws.Kinesis;
using Ferry.Aws.Sns;
using Ferry.Aws.Sqs;
using Ferry.Engine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ferry.Aws;

/// <summary>Registers the AWS faces' services.</summary>
public static class AwsServices
{
    /// <summary>Adds SQS, SNS and Kinesis over the broker that <paramref name="broker"/> returns once Ferry has started.</summary>
    public static IServiceCollection AddFerryAws(this IServiceCollection services, Func<IServiceProvider, Func<Broker>> broker, SnsOptions? sns = null)
    {
        services.AddSingleton<ISqsService>(sp => new SqsService(broker(sp)));
        services.AddSingleton<IKinesisService>(sp => new KinesisService(broker(sp)));
        services.AddSingleton(sp => new SnsDelivery(broker(sp), sns ?? new SnsOptions(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Ferry.Sns"), sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.AddSingleton(sp => new SnsService(broker(sp), sns ?? new SnsOptions(), sp.GetRequiredService<SnsDelivery>()));
        return services;
    }

    /// <summary>
    /// Connects topic delivery to the open broker before Ferry takes requests (queuing the deliveries owed when it
    /// last stopped); <paramref name="baseUrl"/> is the base of the URLs that deliveries carry.
    /// </summary>
    public static void AttachFerryTopics(IServiceProvider services, string baseUrl) =>
        services.GetRequiredService<SnsDelivery>().Attach(baseUrl);

    /// <summary>Starts pushing to HTTP/S endpoints once Ferry listens at <paramref name="baseUrl"/>.</summary>
    public static void StartFerryTopics(IServiceProvider services, string baseUrl) =>
        services.GetRequiredService<SnsDelivery>().Start(baseUrl);

    /// <summary>Stops pushing to endpoints; owed deliveries stay in the journal for the next start.</summary>
    public static ValueTask StopFerryTopicsAsync(IServiceProvider services) =>
        services.GetRequiredService<SnsDelivery>().DisposeAsync();
}
