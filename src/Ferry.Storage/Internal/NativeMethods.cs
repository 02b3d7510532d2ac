using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Ferry.Storage.Internal;

internal static partial class NativeMethods
{
    [LibraryImport("libc", SetLastError = true)]
    private static partial int fdatasync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    /// <summary><c>fdatasync</c> on Linux (data and the size, not the timestamps); a full flush elsewhere.</summary>
    public static void DataSync(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux())
        {
            RandomAccess.FlushToDisk(handle);
            return;
        }

        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            if (fdatasync((int)handle.DangerousGetHandle()) != 0)
            {
                throw new IOException($"fdatasync failed: {Marshal.GetLastPInvokeErrorMessage()}", Marshal.GetLastPInvokeError());
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    /// <summary>O_RDONLY | O_DIRECTORY on Linux (O_DIRECTORY is 0x10000 on x86-64 and 0x4000 on arm64).</summary>
    private static int DirectoryOpenFlags =>
        System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x4000 : 0x10000;

    /// <summary>Makes a directory's entries (created, renamed, deleted files) durable.</summary>
    public static void SyncDirectory(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = open(path, DirectoryOpenFlags);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory '{path}' to sync it: {Marshal.GetLastPInvokeErrorMessage()}", Marshal.GetLastPInvokeError());
        }

        try
        {
            if (fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory '{path}' failed: {Marshal.GetLastPInvokeErrorMessage()}", Marshal.GetLastPInvokeError());
            }
        }
        finally
        {
            _ = close(fd);
        }
    }
}
