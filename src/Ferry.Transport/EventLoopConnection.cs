using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Ferry.Transport;

/// <summary>
/// A connection of the event loop: its socket is read and written only on the loop's thread; the application reads
/// the input pipe (resumed inline, on the loop, when data arrives) and writes the output pipe (sent by the loop).
/// </summary>
internal sealed class EventLoopConnection : ConnectionContext, IMemoryPoolFeature
{
    /// <summary>As Kestrel's socket transport: reading pauses at 1 MiB unread, the application at 64 KiB unsent.</summary>
    internal const long MaxReadBuffer = 1024 * 1024;
    private const long MaxWriteBuffer = 64 * 1024;
    private const int MinimumRead = 4096;
    private const int MaxReadsPerPass = 16;

    private static long s_lastId;

    private readonly Socket _socket;
    private readonly Pipe _input;
    private readonly Pipe _output;
    private readonly CancellationTokenSource _closedSource = new();
    private readonly TaskCompletionSource _socketClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile Task _sending = Task.CompletedTask;
    private TaskCompletionSource? _writable;
    private bool _readPaused;
    private bool _readDone;
    private bool _socketDisposed;

    public EventLoopConnection(Socket socket, EventLoop loop, MemoryPool<byte> pool)
    {
        _socket = socket;
        Loop = loop;
        MemoryPool = pool;
        Fd = (int)socket.SafeHandle.DangerousGetHandle();
        _input = new Pipe(new PipeOptions(
            pool, readerScheduler: PipeScheduler.Inline, writerScheduler: loop,
            pauseWriterThreshold: MaxReadBuffer, resumeWriterThreshold: MaxReadBuffer / 2, useSynchronizationContext: false));
        _output = new Pipe(new PipeOptions(
            pool, readerScheduler: loop, writerScheduler: PipeScheduler.ThreadPool,
            pauseWriterThreshold: MaxWriteBuffer, resumeWriterThreshold: MaxWriteBuffer / 2, useSynchronizationContext: false));
        Features.Set<IMemoryPoolFeature>(this);
        Transport = new DuplexPipe(_input.Reader, _output.Writer);
        ConnectionId = "L" + Interlocked.Increment(ref s_lastId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        LocalEndPoint = socket.LocalEndPoint;
        RemoteEndPoint = socket.RemoteEndPoint;
        ConnectionClosed = _closedSource.Token;
    }

    public EventLoop Loop { get; }

    /// <summary>The listener's pool, which the pipes and Kestrel's HTTP layer (through <see cref="IMemoryPoolFeature"/>)
    /// take their buffers from.</summary>
    public MemoryPool<byte> MemoryPool { get; }

    public int Fd { get; }

    public override string ConnectionId { get; set; }

    public override IFeatureCollection Features { get; } = new FeatureCollection();

    public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

    public override IDuplexPipe Transport { get; set; }

    /// <summary>Called on the loop once the socket is watched: starts sending what the application writes.</summary>
    public void Start() => _sending = SendLoopAsync();

    /// <summary>The socket is readable or hung up: reads what the pipe's free memory holds, a few times over while
    /// the socket fills it, then hands it to the application (which runs here, inline).</summary>
    public void OnReadable(uint events)
    {
        if (_readDone || _readPaused)
        {
            if ((events & (Native.EpollHup | Native.EpollErr)) != 0 && _writable is null)
            {
                // A hang-up is reported whatever the interest: stop watching until reading resumes or the socket
                // closes, or it would wake the loop on every pass.
                Loop.Remove(this);
            }

            return;
        }

        var writer = _input.Writer;
        var read = 0L;
        Exception? error = null;
        var end = false;
        for (var i = 0; i < MaxReadsPerPass; i++)
        {
            var memory = writer.GetMemory(MinimumRead);
            var n = Native.Recv(Fd, memory.Span);
            if (n > 0)
            {
                writer.Advance((int)n);
                read += n;
                if (n < memory.Length || read >= MaxReadBuffer)
                {
                    break;
                }

                continue;
            }

            if (n == 0)
            {
                end = true;
            }
            else
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno != Native.EAgain && errno != Native.EIntr)
                {
                    error = new ConnectionResetException($"recv failed: errno {errno}");
                }
            }

            break;
        }

        if (read > 0)
        {
            var flush = writer.FlushAsync();
            if (!flush.IsCompleted)
            {
                _readPaused = true;
                UpdateInterest();
                _ = ResumeReadingAsync(flush);
            }
            else if (flush.Result.IsCompleted)
            {
                end = true;
            }
        }

        if (end || error is not null)
        {
            StopReading(error);
        }
    }

    /// <summary>The socket can take more bytes after a send that did not fit.</summary>
    public void OnWritable()
    {
        var writable = _writable;
        if (writable is not null)
        {
            _writable = null;
            UpdateInterest();
            writable.SetResult();
        }
    }

    private async Task ResumeReadingAsync(ValueTask<FlushResult> flush)
    {
        // The input pipe's writer resumes on the loop.
        var result = await flush.ConfigureAwait(false);
        _readPaused = false;
        if (result.IsCompleted)
        {
            StopReading(null);
        }
        else if (!_readDone)
        {
            UpdateInterest();
        }
    }

    private void StopReading(Exception? error)
    {
        if (_readDone)
        {
            return;
        }

        _readDone = true;
        UpdateInterest();
        _input.Writer.Complete(error);
        FireClosed();
    }

    private void UpdateInterest()
    {
        if (_socketDisposed)
        {
            return;
        }

        var events = (_readDone || _readPaused ? 0u : Native.EpollIn | Native.EpollRdHup) | (_writable is null ? 0u : Native.EpollOut);
        if (Loop.Watches(this))
        {
            Loop.Control(Native.EpollCtlMod, Fd, events);
        }
        else if (events != 0)
        {
            // Watched again after a hang-up stopped it (see OnReadable).
            Loop.Watch(this, events);
        }
    }

    /// <summary>Called once, by StopReading (which runs once, guarded by _readDone).</summary>
    private void FireClosed()
    {
        // As Kestrel does: callbacks of ConnectionClosed run on the pool, never on the transport's thread.
        ThreadPool.UnsafeQueueUserWorkItem(static s => ((CancellationTokenSource)s!).Cancel(), _closedSource, preferLocal: false);
    }

    private async Task SendLoopAsync()
    {
        var reader = _output.Reader;
        Exception? error = null;
        try
        {
            while (true)
            {
                // Resumes on the loop: the output pipe's reader scheduler is the loop.
                var result = await reader.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled)
                {
                    break;
                }

                var buffer = result.Buffer;
                foreach (var segment in buffer)
                {
                    var sent = 0;
                    while (sent < segment.Length)
                    {
                        var n = Native.Send(Fd, segment.Span[sent..]);

                        if (n >= 0)
                        {
                            sent += (int)n;
                            continue;
                        }

                        var errno = Marshal.GetLastPInvokeError();
                        if (errno == Native.EAgain)
                        {
                            _writable = new TaskCompletionSource();
                            UpdateInterest();
                            await _writable.Task.ConfigureAwait(false);
                        }
                        else if (errno != Native.EIntr)
                        {
                            throw new ConnectionResetException($"send failed: errno {errno}");
                        }
                    }
                }

                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (ConnectionResetException e)
        {
            error = e;
        }
        finally
        {
            reader.Complete(error);
            if (error is not null)
            {
                StopReading(error);
            }
        }
    }

    public override void Abort(ConnectionAbortedException abortReason)
    {
        Loop.Post(() =>
        {
            if (!_socketDisposed)
            {
                try
                {
                    _socket.Shutdown(SocketShutdown.Both);
                }
                catch (SocketException)
                {
                }
            }

            StopReading(abortReason);
            try
            {
                _output.Reader.CancelPendingRead();
            }
            catch (InvalidOperationException)
            {
            }
        });
    }

    public override async ValueTask DisposeAsync()
    {
        _input.Reader.Complete();
        _output.Writer.Complete();
        await _sending.ConfigureAwait(false);
        Loop.Post(() =>
        {
            // Disposed first, so that stopping the reads does not change the interest of a socket about to go.
            _socketDisposed = true;
            StopReading(null);
            Loop.Remove(this);
            try
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
            }

            _socket.Dispose();
            _socketClosed.TrySetResult();
        });
        await _socketClosed.Task.ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
