using Ferry.Torture.Clients;

namespace Ferry.Torture.Loads;

/// <summary>What a failed request means: in flight at a kill (outcome unknown), the end of the run, or a broken
/// server (it failed while up).</summary>
internal static class Failures
{
    /// <summary>Accounts for <paramref name="ex"/>; the worker then waits for the next server (or the end).</summary>
    /// <returns>True, so that it can filter a catch clause.</returns>
    public static bool Note(TortureReport report, ServerLink link, int generation, string load, string operation, Exception ex,
        CancellationToken stop)
    {
        if (stop.IsCancellationRequested)
        {
            // The run is ending: a cancelled request may surface as an I/O error, and its outcome is unknown.
            return true;
        }

        if (link.IsUp(generation))
        {
            report.Violation($"{load}: {operation} failed while the server was up", ex.Message);
        }
        else if (ex is AwsErrorException)
        {
            report.Violation($"{load}: {operation} answered with an error", ex.Message);
        }
        else
        {
            report.Count($"{load}: {operation} in flight at a kill (outcome unknown)");
        }

        return true;
    }
}
