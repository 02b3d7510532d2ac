using System.Text;
using Ferry.Engine.Internal;
using Ferry.Engine.Queues;

namespace Ferry.Engine;

/// <summary>A message move task as ListMessageMoveTasks reports it.</summary>
public sealed record MoveTaskInfo(string TaskHandle, string SourceArn, string? DestinationArn, int? MaxNumberOfMessagesPerSecond,
    string Status, long StartedTimestamp, long ApproximateNumberOfMessagesMoved, long ApproximateNumberOfMessagesToMove, string? FailureReason);

public sealed partial class Broker
{
    /// <summary>SQS keeps the most recent tasks of a source for listing; 10 is ListMessageMoveTasks' maximum.</summary>
    private const int TasksKeptPerSource = 10;

    /// <summary>Messages moved per round when no rate is given.</summary>
    private const int MoveBatch = 100;

    private readonly object _tasksGate = new();
    private readonly List<MoveTask> _tasks = [];

    private sealed class MoveTask
    {
        public required string Handle { get; init; }

        public required string SourceArn { get; init; }

        public string? DestinationArn { get; init; }

        public int? Rate { get; init; }

        public long Started { get; init; }

        public string Status { get; set; } = "RUNNING";

        public long Moved;

        public long ToMove { get; set; }

        public string? Failure { get; set; }

        public CancellationTokenSource Cancel { get; } = new();

        public Task? Runner { get; set; }

        public MoveTaskInfo Info() => new(Handle, SourceArn, DestinationArn, Rate, Status, Started, Interlocked.Read(ref Moved), ToMove, Failure);
    }

    /// <summary>Starts moving the messages of a dead-letter queue back to their source queues, or to <paramref name="destination"/>.</summary>
    public async Task<string> StartMessageMoveTaskAsync(Queue source, Queue? destination, int? maxPerSecond)
    {
        if (ListDeadLetterSourceQueues(source).Count == 0)
        {
            throw new EngineException(EngineError.InvalidParameterValue, "Source queue must be configured as a Dead Letter Queue.");
        }

        MoveTask task;
        lock (_tasksGate)
        {
            if (_tasks.Any(t => t.SourceArn == source.Arn && t.Status is "RUNNING" or "CANCELLING"))
            {
                throw new EngineException(EngineError.UnsupportedOperation, "There is already a task running. Only one active task is allowed for a source queue arn at a given time.");
            }

            var id = Guid.NewGuid().ToString();
            task = new MoveTask
            {
                Handle = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{{\"taskId\":\"{id}\",\"sourceArn\":\"{source.Arn}\"}}")),
                SourceArn = source.Arn,
                DestinationArn = destination?.Arn,
                Rate = maxPerSecond,
                Started = Time.GetUtcNow().ToUnixTimeMilliseconds(),
                ToMove = source.MovableCount(),
            };
            _tasks.Add(task);
            TrimTasks(source.Arn);
        }

        await PersistTaskAsync(task).ConfigureAwait(false);
        task.Runner = Task.Run(() => RunMoveTaskAsync(task));
        return task.Handle;
    }

    /// <summary>Cancels a running task; returns how many messages it moved.</summary>
    public async Task<long> CancelMessageMoveTaskAsync(string handle)
    {
        MoveTask? task;
        lock (_tasksGate)
        {
            task = _tasks.FirstOrDefault(t => t.Handle == handle);
            if (task is null || task.Status != "RUNNING")
            {
                throw new EngineException(EngineError.ResourceNotFound, "Task does not exist.");
            }

            task.Status = "CANCELLING";
        }

        await task.Cancel.CancelAsync().ConfigureAwait(false);
        if (task.Runner is not null)
        {
            await task.Runner.ConfigureAwait(false);
        }

        return Interlocked.Read(ref task.Moved);
    }

    /// <summary>The most recent tasks of a source queue, newest first.</summary>
    public IReadOnlyList<MoveTaskInfo> ListMessageMoveTasks(Queue source, int max)
    {
        lock (_tasksGate)
        {
            return [.. _tasks.Where(t => t.SourceArn == source.Arn).OrderByDescending(t => t.Started).Take(max).Select(t => t.Info())];
        }
    }

    private void TrimTasks(string sourceArn)
    {
        var old = _tasks.Where(t => t.SourceArn == sourceArn && t.Status is not ("RUNNING" or "CANCELLING")).OrderByDescending(t => t.Started).Skip(TasksKeptPerSource - 1).ToList();
        foreach (var t in old)
        {
            _tasks.Remove(t);
        }
    }

    private async Task RunMoveTaskAsync(MoveTask task)
    {
        var token = CancellationTokenSource.CreateLinkedTokenSource(task.Cancel.Token, _stopping.Token).Token;
        try
        {
            var source = FindQueueByArn(task.SourceArn) ?? throw new EngineException(EngineError.ResourceNotFound, "The source queue no longer exists.");
            var perRound = task.Rate is { } rate ? Math.Max(1, rate) : MoveBatch;
            while (!token.IsCancellationRequested)
            {
                var roundStart = Time.GetUtcNow();
                var batch = source.TakeForMove(perRound);
                if (batch.Count == 0)
                {
                    task.Status = "COMPLETED";
                    break;
                }

                for (var i = 0; i < batch.Count; i++)
                {
                    var seq = batch[i];
                    if (token.IsCancellationRequested)
                    {
                        source.ReturnMoving(seq);
                        continue;
                    }

                    var target = task.DestinationArn is { } d ? FindQueueByArn(d) : OriginOf(source, seq);
                    try
                    {
                        if (target is null)
                        {
                            source.ReturnMoving(seq);
                            throw new EngineException(EngineError.ResourceNotFound, "The destination queue does not exist.");
                        }

                        await MoveAsync(source, seq, target, new MovedMessageInfo(false)).ConfigureAwait(false);
                    }
                    catch
                    {
                        // The task ends here: what it set aside and did not move goes back.
                        foreach (var rest in batch.Skip(i + 1))
                        {
                            source.ReturnMoving(rest);
                        }

                        throw;
                    }

                    Interlocked.Increment(ref task.Moved);
                }

                await PersistTaskAsync(task).ConfigureAwait(false);
                if (task.Rate is not null)
                {
                    var rest = TimeSpan.FromSeconds(1) - (Time.GetUtcNow() - roundStart);
                    if (rest > TimeSpan.Zero)
                    {
                        await Task.Delay(rest, Time, token).ConfigureAwait(false);
                    }
                }
            }

            if (task.Cancel.IsCancellationRequested)
            {
                task.Status = "CANCELLED";
            }
        }
        catch (OperationCanceledException)
        {
            task.Status = _stopping.IsCancellationRequested && !task.Cancel.IsCancellationRequested ? "RUNNING" : "CANCELLED";
        }
        catch (EngineException ex)
        {
            task.Status = "FAILED";
            task.Failure = ex.Message;
        }

        if (!_stopping.IsCancellationRequested)
        {
            await PersistTaskAsync(task).ConfigureAwait(false);
        }
    }

    /// <summary>The queue a dead-lettered message came from, from its record.</summary>
    private Queue? OriginOf(Queue source, long seq)
    {
        if (source.FindMoving(seq) is not { } entry)
        {
            return null;
        }

        try
        {
            var stored = StoredMessage.Read(Journal.Read(entry.Body));
            return stored.SourceArn is { } arn ? FindQueueByArn(arn) : null;
        }
        catch (Storage.JournalException)
        {
            return null;
        }
    }

    private async Task PersistTaskAsync(MoveTask task)
    {
        Storage.RecordRef record;
        ValueTask<Storage.RecordRef> durable;
        EnterWrite(background: true);
        try
        {
            using var w = new PayloadWriter();
            WriteTask(w, task);
            durable = Journal.AppendAsync((ushort)RecordType.MoveTaskUpdated, 0, w.WrittenSpan, out record);
            Journal.Release(record);
        }
        finally
        {
            ExitWrite();
        }

        await durable.ConfigureAwait(false);
    }

    private static void WriteTask(PayloadWriter w, MoveTask t)
    {
        w.String(t.Handle);
        w.String(t.SourceArn);
        w.String(t.DestinationArn);
        w.I32(t.Rate ?? -1);
        w.String(t.Status);
        w.I64(t.Started);
        w.I64(Interlocked.Read(ref t.Moved));
        w.I64(t.ToMove);
        w.String(t.Failure);
    }

    private static MoveTask ReadTask(ref PayloadReader r)
    {
        var task = new MoveTask
        {
            Handle = r.RequiredString(),
            SourceArn = r.RequiredString(),
            DestinationArn = r.String(),
            Rate = r.I32() is var rate && rate >= 0 ? rate : null,
            Status = r.RequiredString(),
            Started = r.I64(),
        };
        task.Moved = r.I64();
        task.ToMove = r.I64();
        task.Failure = r.String();
        return task;
    }

    private void ReplayMoveTask(ReadOnlySpan<byte> payload)
    {
        var r = new PayloadReader(payload);
        var task = ReadTask(ref r);
        _tasks.RemoveAll(t => t.Handle == task.Handle);
        _tasks.Add(task);
    }

    private void WriteMoveTasks(PayloadWriter w)
    {
        lock (_tasksGate)
        {
            w.I32(_tasks.Count);
            foreach (var t in _tasks)
            {
                WriteTask(w, t);
            }
        }
    }

    private void ReadMoveTasks(ref PayloadReader r)
    {
        var n = r.I32();
        for (var i = 0; i < n; i++)
        {
            _tasks.Add(ReadTask(ref r));
        }
    }

    /// <summary>Tasks that were running when Ferry stopped carry on.</summary>
    private void ResumeMoveTasks()
    {
        foreach (var task in _tasks.Where(t => t.Status is "RUNNING" or "CANCELLING"))
        {
            if (task.Status == "CANCELLING")
            {
                task.Status = "CANCELLED";
                continue;
            }

            task.Runner = Task.Run(() => RunMoveTaskAsync(task));
        }
    }

    private async Task StopMoveTasksAsync()
    {
        List<Task> runners;
        lock (_tasksGate)
        {
            runners = [.. _tasks.Select(t => t.Runner).OfType<Task>()];
        }

        try
        {
            await Task.WhenAll(runners).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
