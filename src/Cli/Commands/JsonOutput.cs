using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace VkResNet.Cli.Commands;

/// <summary>The --json flag of summary, eval and infer (devices has its own): one JSON document on stdout, nothing else.</summary>
public static class JsonOutput
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static Option<bool> AddTo(Command command, string description)
    {
        var o = new Option<bool>("--json") { Description = description };
        command.Options.Add(o);
        return o;
    }

    public static void Write<T>(T value) => Console.WriteLine(JsonSerializer.Serialize(value, Options));
}
