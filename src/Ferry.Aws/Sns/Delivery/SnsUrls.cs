namespace Ferry.Aws.Sns.Delivery;

/// <summary>
/// The URLs an envelope carries, shaped as SNS shapes them: the endpoint's base URL, then a Query request whose
/// ARN and token are written as they are (SNS does not percent-encode the colons of an ARN).
/// </summary>
internal static class SnsUrls
{
    /// <summary>The SubscribeURL of a confirmation message: <c>{base}/?Action=ConfirmSubscription&amp;TopicArn={arn}&amp;Token={token}</c>.</summary>
    public static string Subscribe(string baseUrl, string topicArn, string token) =>
        $"{Trim(baseUrl)}/?Action=ConfirmSubscription&TopicArn={topicArn}&Token={token}";

    /// <summary>The UnsubscribeURL of a notification: <c>{base}/?Action=Unsubscribe&amp;SubscriptionArn={arn}</c>.</summary>
    public static string Unsubscribe(string baseUrl, string subscriptionArn) =>
        $"{Trim(baseUrl)}/?Action=Unsubscribe&SubscriptionArn={subscriptionArn}";

    /// <summary>The SigningCertURL: <c>{base}/{certificate file name}</c>, see <see cref="SnsSigner.CertificateFileName"/>.</summary>
    public static string SigningCertificate(string baseUrl, string certificateFileName) =>
        $"{Trim(baseUrl)}/{certificateFileName}";

    private static string Trim(string baseUrl) => baseUrl.TrimEnd('/');
}
