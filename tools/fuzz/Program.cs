// vkresnet-fuzz: the readers of untrusted files as SharpFuzz targets (scripts/fuzz.sh runs them under afl-fuzz).
//   vkresnet-fuzz TARGET              afl++ mode: reads inputs from afl's forkserver, a finding is an undocumented exception
//   vkresnet-fuzz TARGET --replay F…  runs each file once and names any undocumented exception (exit 1 if any)
//   vkresnet-fuzz --list              the targets
using SharpFuzz;
using VkResNet.Fuzz;

if (args.Length == 1 && args[0] == "--list")
{
    foreach (var t in FuzzTargets.All) Console.WriteLine($"{t.Name,-12} {t.What}; documented: {t.Documented.Name}");
    return 0;
}
if (args.Length == 0)
{
    Console.Error.WriteLine("vkresnet-fuzz: usage: vkresnet-fuzz TARGET [--replay FILE...] | --list");
    return 2;
}
FuzzTarget target;
try { target = FuzzTargets.Find(args[0]); }
catch (ArgumentException e) { Console.Error.WriteLine($"vkresnet-fuzz: {e.Message}"); return 2; }

string scratch = Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), $"vkresnet-fuzz-{Environment.ProcessId}-{target.Name}");
if (args.Length >= 2 && args[1] == "--replay")
{
    int bad = 0;
    foreach (string file in args[2..])
    {
        var (documented, finding) = FuzzTargets.Check(target, File.ReadAllBytes(file), scratch);
        if (finding is null)
        {
            Console.WriteLine($"{file}: {(documented is null ? "read" : $"refused as documented: {documented.Message}")}");
            continue;
        }
        bad++;
        Console.WriteLine($"{file}: FINDING {finding.GetType().FullName}: {finding.Message}\n{finding.StackTrace}");
    }
    File.Delete(scratch);
    Console.WriteLine($"vkresnet-fuzz: {args.Length - 2} input(s), {bad} undocumented exception(s)");
    return bad == 0 ? 0 : 1;
}

// afl++ mode: the documented exception is a normal outcome; anything else escapes and afl records a crash.
Fuzzer.OutOfProcess.Run(stream =>
{
    using var ms = new MemoryStream();
    stream.CopyTo(ms);
    try { target.Read(ms.ToArray(), scratch); }
    catch (Exception e) when (target.Documented.IsInstanceOfType(e)) { }
});
return 0;
