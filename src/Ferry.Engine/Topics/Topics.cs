using System.Security.Cryptography;
using Ferry.Engine.Internal;
using Ferry.Storage;

namespace Ferry.Engine.Topics;

/// <summary>
/// Topics and subscriptions (SNS's model), durable in the journal. The protocol face validates names and attributes
/// and decides what SNS answers; this class keeps the state, fans messages out and owes every push delivery until
/// it is completed, across crashes.
/// </summary>
/// <remarks>
/// Writes follow the broker's rule: the state change and its append happen together under
/// <see cref="Broker.EnterWrite"/>, never across an await; callers await durability afterwards.
/// </remarks>
public sealed partial class Topics
{
    private readonly Broker _broker;
    private readonly object _gate = new();
    private readonly Dictionary<string, Topic> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, Topic> _byId = [];
    private readonly Dictionary<Guid, Subscription> _subscriptions = [];
    private ulong _nextId = 1;

    internal Topics(Broker broker) => _broker = broker;

    private Journal Journal => _broker.Journal;

    private long NowMilliseconds => _broker.Time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The ARN prefix of this region and account: <c>arn:aws:sns:region:account:</c>.</summary>
    public string ArnPrefix => _arnPrefix ??= $"arn:aws:sns:{_broker.Options.Region}:{_broker.Options.AccountId}:";

    private string? _arnPrefix;

    public Topic? FindTopic(string name)
    {
        lock (_gate)
        {
            return _byName.GetValueOrDefault(name);
        }
    }

    /// <summary>The topic an ARN of this region and account names, or null.</summary>
    public Topic? FindTopicByArn(string arn)
    {
        var prefix = ArnPrefix;
        if (!arn.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        lock (_gate)
        {
            return _byName.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(arn.AsSpan(prefix.Length), out var topic) ? topic : null;
        }
    }

    /// <summary>Every topic, sorted by ARN.</summary>
    public IReadOnlyList<Topic> ListTopics()
    {
        lock (_gate)
        {
            return [.. _byName.Values.OrderBy(t => t.Arn, StringComparer.Ordinal)];
        }
    }

    /// <summary>The subscription an ARN names, or null.</summary>
    public Subscription? FindSubscription(string arn)
    {
        var colon = arn.LastIndexOf(':');
        if (colon < 0 || !Guid.TryParseExact(arn.AsSpan(colon + 1), "D", out var id))
        {
            return null;
        }

        lock (_gate)
        {
            return _subscriptions.TryGetValue(id, out var s) && s.Arn == arn ? s : null;
        }
    }

    /// <summary>Every subscription, by topic ARN and then creation.</summary>
    public IReadOnlyList<Subscription> ListSubscriptions()
    {
        lock (_gate)
        {
            return [.. _byName.Values.OrderBy(t => t.Arn, StringComparer.Ordinal).SelectMany(t => t.Subscriptions)];
        }
    }

    /// <summary>Creates a topic; returns the existing one (and false) when the name is taken.</summary>
    public async Task<(Topic Topic, bool Created)> CreateTopicAsync(string name, IReadOnlyDictionary<string, string>? attributes, IReadOnlyDictionary<string, string>? tags)
    {
        Topic topic;
        ValueTask<RecordRef> durable;
        _broker.EnterWrite();
        try
        {
            lock (_gate)
            {
                if (_byName.TryGetValue(name, out var existing))
                {
                    return (existing, false);
                }

                topic = new Topic(_nextId++, name, ArnPrefix + name, NowMilliseconds / 1000, Copy(attributes), Copy(tags));
                using var w = new PayloadWriter();
                w.String(name);
                w.I64(topic.CreatedAt);
                w.StringMap(topic.Attributes);
                w.StringMap(topic.Tags);
                durable = Append(TopicRecordType.TopicCreated, topic.Id, w);
                _byName.Add(name, topic);
                _byId.Add(topic.Id, topic);
            }
        }
        finally
        {
            _broker.ExitWrite();
        }

        await durable.ConfigureAwait(false);
        return (topic, true);
    }

    /// <summary>Changes attributes (an empty value removes one) and tags; completes when durable.</summary>
    public async Task UpdateTopicAsync(Topic topic, IReadOnlyDictionary<string, string>? attributeChanges, IReadOnlyDictionary<string, string>? tagsToAdd, IReadOnlyCollection<string>? tagsToRemove)
    {
        ValueTask<RecordRef> durable;
        _broker.EnterWrite();
        try
        {
            lock (_gate)
            {
                ThrowIfDeleted(topic);
                var attributes = Copy(topic.Attributes);
                foreach (var (key, value) in attributeChanges ?? new Dictionary<string, string>())
                {
                    if (value.Length == 0)
                    {
                        attributes.Remove(key);
                    }
                    else
                    {
                        attributes[key] = value;
                    }
                }

                var tags = Copy(topic.Tags);
                foreach (var (key, value) in tagsToAdd ?? new Dictionary<string, string>())
                {
                    tags[key] = value;
                }

                foreach (var key in tagsToRemove ?? [])
                {
                    tags.Remove(key);
                }

                topic.Attributes = attributes;
                topic.Tags = tags;
                using var w = new PayloadWriter();
                w.StringMap(attributes);
                w.StringMap(tags);
                durable = Append(TopicRecordType.TopicUpdated, topic.Id, w);
            }
        }
        finally
        {
            _broker.ExitWrite();
        }

        await durable.ConfigureAwait(false);
    }

    /// <summary>Deletes a topic and its subscriptions; deleting a missing topic does nothing (as SNS).</summary>
    public async Task DeleteTopicAsync(Topic topic)
    {
        ValueTask<RecordRef> durable;
        _broker.EnterWrite();
        try
        {
            lock (_gate)
            {
                if (topic.IsDeleted)
                {
                    return;
                }

                RemoveTopic(topic);
                using var w = new PayloadWriter();
                durable = Append(TopicRecordType.TopicDeleted, topic.Id, w);
            }
        }
        finally
        {
            _broker.ExitWrite();
        }

        await durable.ConfigureAwait(false);
    }

    /// <summary>
    /// Subscribes an endpoint; returns the existing subscription (and false) when the topic already has one for the
    /// same protocol and endpoint. A subscription that is not <paramref name="confirmed"/> gets a confirmation token.
    /// </summary>
    public async Task<(Subscription Subscription, bool Created)> SubscribeAsync(Topic topic, string protocol, string endpoint, string owner,
        IReadOnlyDictionary<string, string>? attributes, bool confirmed)
    {
        Subscription subscription;
        ValueTask<RecordRef> durable;
        _broker.EnterWrite();
        try
        {
            lock (_gate)
            {
                ThrowIfDeleted(topic);
                foreach (var existing in topic.Subscriptions)
                {
                    if (existing.Protocol == protocol && existing.Endpoint == endpoint)
                    {
                        return (existing, false);
                    }
                }

                subscription = new Subscription(Guid.NewGuid(), topic, protocol, endpoint, owner)
                {
                    Attributes = Copy(attributes),
                    Confirmed = confirmed,
                    Token = confirmed ? null : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(64)),
                };
                using var w = new PayloadWriter();
                WriteSubscription(w, subscription);
                durable = Append(TopicRecordType.SubscriptionCreated, topic.Id, w);
                _subscriptions.Add(subscription.Id, subscription);
                topic.AddSubscription(subscription);
            }
        }
        finally
        {
            _broker.ExitWrite();
        }

        await durable.ConfigureAwait(false);
        return (subscription, true);
    }

    /// <summary>Replaces a subscription's attributes (compiling its filter policy) and, optionally, confirms it.</summary>
    /// <exception cref="Filtering.FilterPolicyException">The FilterPolicy does not compile; nothing changed.</exception>
    public async Task UpdateSubscriptionAsync(Subscription subscription, IReadOnlyDictionary<string, string> attributes, bool confirm = false)
    {
        ValueTask<RecordRef> durable;
        _broker.EnterWrite();
        try
        {
            lock (_gate)
            {
                ThrowIfDeleted(subscription);
                subscription.Attributes = Copy(attributes);
                if (confirm)
                {
                    subscription.Confirmed = true;
                    subscription.Token = null;
                }

                using var w = new PayloadWriter();
                w.Guid(subscription.Id);
                w.StringMap(subscription.Attributes);
                w.Bool(subscription.Confirmed);
                durable = Append(TopicRecordType.SubscriptionUpdated, subscription.Topic.Id, w);
            }
        }
        finally
        {
            _broker.ExitWrite();
        }

        await durable.ConfigureAwait(false);
    }

    /// <summary>The pending subscription of <paramref name="topic"/> whose confirmation token is <paramref name="token"/>, or null.</summary>
    public static Subscription? FindByToken(Topic topic, string token)
    {
        foreach (var s in topic.Subscriptions)
        {
            if (s.Token is { } t && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(t), System.Text.Encoding.ASCII.GetBytes(token)))
            {
                return s;
            }
        }

        return null;
    }

    /// <summary>Deletes a subscription; owed deliveries to it are abandoned.</summary>
    public async Task UnsubscribeAsync(Subscription subscription)
    {
        ValueTask<RecordRef> durable;
        _broker.EnterWrite();
        try
        {
            lock (_gate)
            {
                if (subscription.IsDeleted)
                {
                    return;
                }

                RemoveSubscription(subscription);
                using var w = new PayloadWriter();
                w.Guid(subscription.Id);
                durable = Append(TopicRecordType.SubscriptionDeleted, subscription.Topic.Id, w);
            }
        }
        finally
        {
            _broker.ExitWrite();
        }

        await durable.ConfigureAwait(false);
    }

    private void RemoveTopic(Topic topic)
    {
        topic.IsDeleted = true;
        _byName.Remove(topic.Name);
        _byId.Remove(topic.Id);
        foreach (var s in topic.Subscriptions)
        {
            s.IsDeleted = true;
            _subscriptions.Remove(s.Id);
        }
    }

    private void RemoveSubscription(Subscription subscription)
    {
        subscription.IsDeleted = true;
        _subscriptions.Remove(subscription.Id);
        subscription.Topic.RemoveSubscription(subscription);
        subscription.Topic.SubscriptionsDeleted++;
    }

    private static void WriteSubscription(PayloadWriter w, Subscription s)
    {
        w.Guid(s.Id);
        w.String(s.Protocol);
        w.String(s.Endpoint);
        w.String(s.Owner);
        w.StringMap(s.Attributes);
        w.Bool(s.Confirmed);
        w.String(s.Token);
    }

    /// <summary>Appends a state record and releases it (the checkpoint after it carries the state).</summary>
    private ValueTask<RecordRef> Append(TopicRecordType type, ulong resourceId, PayloadWriter w)
    {
        var durable = Journal.AppendAsync((ushort)type, resourceId, w.WrittenSpan, out var record);
        Journal.Release(record);
        return durable;
    }

    private static void ThrowIfDeleted(Topic topic)
    {
        if (topic.IsDeleted)
        {
            throw new EngineException(EngineError.ResourceNotFound, "Topic does not exist");
        }
    }

    private static void ThrowIfDeleted(Subscription subscription)
    {
        if (subscription.IsDeleted)
        {
            throw new EngineException(EngineError.ResourceNotFound, "Subscription does not exist");
        }
    }

    private static Dictionary<string, string> Copy(IReadOnlyDictionary<string, string>? map) =>
        map is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(map, StringComparer.Ordinal);
}
