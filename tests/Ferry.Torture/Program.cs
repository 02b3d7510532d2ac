using Ferry.Torture;

if (args.Contains("--help"))
{
    Console.WriteLine(TortureOptions.Usage);
    return 0;
}

if (TortureOptions.Parse(args, out var error) is not { } options)
{
    Console.Error.WriteLine($"Ferry.Torture: {error}");
    Console.Error.WriteLine(TortureOptions.Usage);
    return 2;
}

var report = await TortureRun.RunAsync(options, Console.WriteLine);
Console.WriteLine(report.Summary());
return report.Passed ? 0 : 1;
