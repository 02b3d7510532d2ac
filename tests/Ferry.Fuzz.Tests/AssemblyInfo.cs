// The fuzzers measure allocations with the process-wide counter and bound each input's time: one target at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
