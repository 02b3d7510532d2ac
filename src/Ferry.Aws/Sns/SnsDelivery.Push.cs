using System.Net.Http.Headers;
using Ferry.Aws.Sns.Delivery;
using Ferry.Engine.Topics;
using Microsoft.Extensions.Logging;

namespace Ferry.Aws.Sns;

internal sealed partial class SnsDelivery
{
    /// <summary>Confirmation requests are retried a few times, a few seconds apart.</summary>
    private static readonly TimeSpan[] ConfirmationRetries = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20)];

    private async Task WorkAsync(CancellationToken stopping)
    {
        try
        {
            await foreach (var delivery in _ready.Reader.ReadAllAsync(stopping).ConfigureAwait(false))
            {
                await AttemptAsync(delivery, stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>One attempt: post, then complete, schedule the next attempt, or give up as the policy says.</summary>
    private async Task AttemptAsync(TopicDelivery delivery, CancellationToken stopping)
    {
        var subscription = delivery.Subscription;
        if (subscription.IsDeleted || delivery.Topic.IsDeleted)
        {
            _broker.Topics.CompleteDelivery(delivery, DeliveryOutcome.Abandoned);
            return;
        }

        var policy = PolicyOf(subscription);
        var wait = Throttle(subscription, policy.MaxReceivesPerSecond);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _time, stopping).ConfigureAwait(false);
        }

        delivery.Attempts++;
        var delivered = await PostNotificationAsync(delivery, policy.ContentType, stopping).ConfigureAwait(false);
        if (delivered)
        {
            _broker.Topics.CompleteDelivery(delivery, DeliveryOutcome.Delivered);
            return;
        }

        if (delivery.Attempts >= policy.Schedule.TotalAttempts)
        {
            _logger.LogWarning("Giving up on delivering message {MessageId} to {Endpoint} after {Attempts} attempts",
                delivery.Message.MessageId, subscription.Endpoint, delivery.Attempts);
            _broker.Topics.CompleteDelivery(delivery, DeliveryOutcome.Failed);
            return;
        }

        _ = RetryLaterAsync(delivery, policy.Schedule.DelayBefore(delivery.Attempts + 1), stopping);
    }

    private async Task RetryLaterAsync(TopicDelivery delivery, TimeSpan delay, CancellationToken stopping)
    {
        try
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _time, stopping).ConfigureAwait(false);
            }

            _ready.Writer.TryWrite(delivery);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the delivery stays owed in the journal and resumes at the next start.
        }
    }

    /// <summary>Posts a Notification (or the raw message); true when the endpoint answered 2xx in time.</summary>
    private async Task<bool> PostNotificationAsync(TopicDelivery delivery, string contentType, CancellationToken stopping)
    {
        var s = delivery.Subscription;
        var message = delivery.Message;
        byte[] body = s.RawMessageDelivery
            ? System.Text.Encoding.UTF8.GetBytes(message.MessageFor(s.Protocol))
            : SnsMessages.NotificationUtf8(Notification(s.Topic, message, s.Protocol), SnsUrls.Unsubscribe(_baseUrl, s.Arn),
                delivery.Topic.IsFifo ? null : Signature(s.Topic, message, s.Protocol));
        using var request = new HttpRequestMessage(HttpMethod.Post, s.Endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TryAddWithoutValidation(SnsHttpHeaders.MessageType, SnsHttpHeaders.Notification);
        request.Headers.TryAddWithoutValidation(SnsHttpHeaders.MessageId, message.MessageId.ToString("D"));
        request.Headers.TryAddWithoutValidation(SnsHttpHeaders.TopicArn, s.Topic.Arn);
        request.Headers.TryAddWithoutValidation(SnsHttpHeaders.SubscriptionArn, s.Arn);
        if (s.RawMessageDelivery)
        {
            request.Headers.TryAddWithoutValidation(SnsHttpHeaders.RawDelivery, SnsHttpHeaders.RawDeliveryValue);
        }

        return await SendAsync(request, stopping).ConfigureAwait(false);
    }

    private async Task<bool> SendAsync(HttpRequestMessage request, CancellationToken stopping)
    {
        using var timeout = new CancellationTokenSource(_options.PushTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, stopping);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return false; // Timed out.
        }
        catch (HttpRequestException e)
        {
            _logger.LogDebug("Push to {Endpoint} failed: {Error}", request.RequestUri, e.Message);
            return false;
        }
    }

    /// <summary>Sends the SubscriptionConfirmation of a new HTTP/S subscription (retried a few times).</summary>
    public void SendSubscriptionConfirmation(Subscription subscription)
    {
        if (subscription.Token is not { } token)
        {
            return;
        }

        var confirmation = new SnsConfirmation(SnsConfirmationType.SubscriptionConfirmation, subscription.Topic.Arn, Guid.NewGuid().ToString("D"), token,
            SnsMessages.SubscriptionConfirmationText(subscription.Topic.Arn), SnsUrls.Subscribe(_baseUrl, subscription.Topic.Arn, token), _time.GetUtcNow());
        _ = SendConfirmationAsync(subscription, confirmation, retries: true);
    }

    /// <summary>Sends the UnsubscribeConfirmation of a deleted HTTP/S subscription (once).</summary>
    public void SendUnsubscribeConfirmation(Subscription subscription)
    {
        var token = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(64));
        var confirmation = new SnsConfirmation(SnsConfirmationType.UnsubscribeConfirmation, subscription.Topic.Arn, Guid.NewGuid().ToString("D"), token,
            SnsMessages.UnsubscribeConfirmationText(subscription.Arn), SnsUrls.Subscribe(_baseUrl, subscription.Topic.Arn, token), _time.GetUtcNow());
        _ = SendConfirmationAsync(subscription, confirmation, retries: false);
    }

    private async Task SendConfirmationAsync(Subscription subscription, SnsConfirmation confirmation, bool retries)
    {
        var version = subscription.Topic.Attributes.GetValueOrDefault("SignatureVersion") == "2" ? SnsSignatureVersion.V2 : SnsSignatureVersion.V1;
        var body = SnsMessages.ConfirmationUtf8(confirmation,
            SnsMessages.Sign(Signer, confirmation, version, SnsUrls.SigningCertificate(_baseUrl, Signer.CertificateFileName)));
        var type = SnsStringToSign.TypeName(confirmation.Type);
        var stopping = _stopping.Token;
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Endpoint) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(SnsHttpHeaders.DefaultContentType);
            request.Headers.TryAddWithoutValidation(SnsHttpHeaders.MessageType, type);
            request.Headers.TryAddWithoutValidation(SnsHttpHeaders.MessageId, confirmation.MessageId);
            request.Headers.TryAddWithoutValidation(SnsHttpHeaders.TopicArn, confirmation.TopicArn);
            try
            {
                if (await SendAsync(request, stopping).ConfigureAwait(false) || !retries || attempt >= ConfirmationRetries.Length
                    || subscription.Confirmed || subscription.IsDeleted)
                {
                    return;
                }

                await Task.Delay(ConfirmationRetries[attempt], _time, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>How long to wait so that the subscription stays under its throttle (zero when it is not throttled).</summary>
    private TimeSpan Throttle(Subscription subscription, int? maxReceivesPerSecond)
    {
        if (maxReceivesPerSecond is not { } rate || rate <= 0)
        {
            return TimeSpan.Zero;
        }

        var state = subscription.FaceState as PushState ?? new PushState();
        subscription.FaceState ??= state;
        lock (state)
        {
            var now = _time.GetTimestamp();
            var interval = TimeSpan.FromSeconds(1.0 / rate);
            var slot = state.NextSlot > now ? state.NextSlot : now;
            state.NextSlot = slot + (long)(interval.TotalSeconds * _time.TimestampFrequency);
            return _time.GetElapsedTime(now, slot);
        }
    }

    /// <summary>Per-subscription push state: the throttle's next free slot and the resolved policy.</summary>
    private sealed class PushState
    {
        public long NextSlot { get; set; }

        public PushPolicy? Policy { get; set; }
    }
}
