using Ferry.Aws.Kinesis;
using Ferry.Aws.Sqs;
using Ferry.Engine;
using Microsoft.Extensions.DependencyInjection;

namespace Ferry.Aws;

/// <summary>Registers the AWS faces' services.</summary>
public static class AwsServices
{
    /// <summary>Adds SQS and Kinesis over the broker that <paramref name="broker"/> returns once Ferry has started.</summary>
    public static IServiceCollection AddFerryAws(this IServiceCollection services, Func<IServiceProvider, Func<Broker>> broker)
    {
        services.AddSingleton<ISqsService>(sp => new SqsService(broker(sp)));
        services.AddSingleton<IKinesisService>(sp => new KinesisService(broker(sp)));
        return services;
    }
}
