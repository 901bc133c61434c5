using System.Diagnostics;
using Xunit;

namespace VkResNet.Runtime.Tests;

/// <summary>What a reader did with one mutated file.</summary>
public enum MutationOutcome { Refused, AcceptedSame, AcceptedDifferent, Crashed, Hung }

/// <summary>
/// Seeded, bounded mutation testing of file readers: each case flips a bit, overwrites bytes (with random or boundary
/// values: 0, 0xff, lengths), truncates, grows, deletes or repeats a range of a valid file, then reads it with a
/// per-case timeout. A reader must refuse with its own clean exception or accept; it must never throw anything
/// else (a crash) or run past the timeout (a hang). Formats with a checksum must also never accept a mutant whose
/// decoded content differs from the original's. Several hundred cases per format by default; VKRESNET_MUTANTS=N runs N.
/// </summary>
public static class Mutation
{
    public static int CaseCount(int ciDefault = 300) =>
        int.TryParse(Environment.GetEnvironmentVariable("VKRESNET_MUTANTS"), out int n) && n > 0 ? n : ciDefault;

    /// <summary>The mutants of <paramref name="original"/> for a seed: the same list every run.</summary>
    public static IEnumerable<(string What, byte[] Bytes)> Mutants(byte[] original, int seed, int count)
    {
        var rng = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            int at = rng.Next(original.Length);
            int len = Math.Min(1 + rng.Next(16), original.Length - at);
            byte[] b;
            string what;
            switch (rng.Next(7))
            {
                case 0:
                    b = (byte[])original.Clone();
                    int bit = rng.Next(8);
                    b[at] ^= (byte)(1 << bit);
                    what = $"flip bit {bit} of byte {at}";
                    break;
                case 1:
                    b = (byte[])original.Clone();
                    b[at] = (byte)rng.Next(256);
                    what = $"byte {at} = 0x{b[at]:x2}";
                    break;
                case 2:
                    b = (byte[])original.Clone();
                    byte[] boundary = [0x00, 0xff, 0x7f, 0x80];
                    byte v = boundary[rng.Next(boundary.Length)];
                    for (int k = 0; k < Math.Min(4, original.Length - at); k++) b[at + k] = v;
                    what = $"bytes {at}..{at + 3} = 0x{v:x2}";
                    break;
                case 3:
                    b = original[..at];
                    what = $"truncate to {at} bytes";
                    break;
                case 4:
                    var extra = new byte[len];
                    rng.NextBytes(extra);
                    b = [.. original[..at], .. extra, .. original[at..]];
                    what = $"insert {len} random bytes at {at}";
                    break;
                case 5:
                    b = [.. original[..at], .. original[(at + len)..]];
                    what = $"delete bytes {at}..{at + len - 1}";
                    break;
                default:
                    b = [.. original[..(at + len)], .. original[at..]];
                    what = $"repeat bytes {at}..{at + len - 1}";
                    break;
            }
            yield return ($"case {i} (seed {seed}): {what}", b);
        }
    }

    /// <summary>
    /// Reads every mutant with <paramref name="read"/> (returns a comparable rendering of what it decoded) and asserts:
    /// no crash, no hang, and (with <paramref name="checksummed"/>) no accepted mutant that decodes differently.
    /// <paramref name="refusal"/> says which exceptions are the reader's clean refusals. Returns the outcome counts.
    /// </summary>
    public static Dictionary<MutationOutcome, int> Run(string format, byte[] original, Func<byte[], string> read, Func<Exception, bool> refusal,
                                                       bool checksummed, int seed = 1, int? count = null, TimeSpan? timeout = null)
    {
        string expected = read(original);
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        var counts = Enum.GetValues<MutationOutcome>().ToDictionary(o => o, _ => 0);
        var failures = new List<string>();
        foreach (var (what, bytes) in Mutants(original, seed, count ?? CaseCount()))
        {
            var task = Task.Run(() => read(bytes));
            MutationOutcome outcome;
            string detail = "";
            try
            {
                if (!task.Wait(limit)) { outcome = MutationOutcome.Hung; detail = $"no answer in {limit.TotalSeconds} s"; }
                else outcome = task.Result == expected ? MutationOutcome.AcceptedSame : MutationOutcome.AcceptedDifferent;
            }
            catch (AggregateException ae) when (ae.InnerException is { } e)
            {
                outcome = refusal(e) ? MutationOutcome.Refused : MutationOutcome.Crashed;
                if (outcome == MutationOutcome.Refused && (e.Message.Length == 0 || e.Message.Any(c => char.IsControl(c) && c != '\n')))
                {
                    outcome = MutationOutcome.Crashed;
                    detail = "the refusal's message is empty or holds control bytes: ";
                }
                detail += $"{e.GetType().Name}: {e.Message}\n{e.StackTrace}";
            }
            counts[outcome]++;
            if (outcome is MutationOutcome.Crashed or MutationOutcome.Hung || checksummed && outcome == MutationOutcome.AcceptedDifferent)
                failures.Add($"{format} {what}: {outcome} {detail}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} bad outcome(s) of {counts.Values.Sum()} {format} mutants " +
            $"({string.Join(", ", counts.Select(kv => $"{kv.Key} {kv.Value}"))}):\n{string.Join("\n", failures.Take(10))}");
        Assert.True(counts[MutationOutcome.Refused] > 0, $"no {format} mutant was refused: the reader checks nothing");
        Console.WriteLine($"mutation {format}: {string.Join(", ", counts.Select(kv => $"{kv.Key} {kv.Value}"))}");
        return counts;
    }

    /// <summary>Writes bytes to a fresh temp file, runs <paramref name="read"/> on its path and deletes it (for path-based readers).</summary>
    public static T OnDisk<T>(byte[] bytes, string extension, Func<string, T> read)
    {
        string path = Path.Combine(Path.GetTempPath(), $"vkresnet-mutant-{Guid.NewGuid():N}{extension}");
        File.WriteAllBytes(path, bytes);
        try { return read(path); }
        finally { File.Delete(path); }
    }
}
