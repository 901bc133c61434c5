using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using VkResNet.Runtime;

namespace VkResNet.Cli.Commands;

/// <summary><c>vkresnet devices [--json]</c>: every Vulkan device and what VkResNet knows of it.</summary>
public static class DevicesCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the devices as JSON" };
        var validation = CommonOptions.Validation();
        var cmd = new Command("devices", "List Vulkan devices with their limits and features");
        cmd.Options.Add(json);
        cmd.Options.Add(validation);
        cmd.SetAction(r => Run(r.GetValue(json), r.GetValue(validation)));
        return cmd;
    }

    static int Run(bool json, bool validation)
    {
        using var ctx = CommonOptions.CreateContext(validation);
        if (ctx.Devices.Count == 0) throw new VulkanUnavailableException(
            "No Vulkan device found. Install a Vulkan driver (on Debian, the CPU driver lavapipe: sudo apt-get install mesa-vulkan-drivers).");
        DeviceInfo preferred = ctx.SelectDevice(CommonOptions.ReadRuntime().Device);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new { loaderApi = Runtime.Native.VkConst.ApiVersionString(ctx.ApiVersion), defaultDevice = preferred.Index, devices = ctx.Devices },
                new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } }));
            return 0;
        }
        foreach (var d in ctx.Devices)
        {
            var table = new Table().Border(TableBorder.Rounded)
                .Title($"[bold]{d.Index}: {Markup.Escape(d.Name)}[/]{(d.Index == preferred.Index ? " (default)" : "")}")
                .AddColumn("property").AddColumn("value");
            void Row(string k, object v) => table.AddRow(Markup.Escape(k), Markup.Escape(v.ToString() ?? ""));
            Row("vendor", $"{d.Vendor} (0x{d.VendorId:X4}), device 0x{d.DeviceId:X4}");
            Row("type", d.Kind);
            Row("driver", $"{d.DriverName} {d.DriverVersion} {d.DriverInfo}".Trim());
            Row("Vulkan API", d.ApiVersion);
            Row("kernel variant", d.Kind == DeviceKind.Cpu ? "cpu" : "gpu");
            Row("max workgroup size", $"{string.Join(" x ", d.MaxWorkgroupSize)} ({d.MaxWorkgroupInvocations} invocations)");
            Row("max workgroup count", string.Join(" x ", d.MaxWorkgroupCount));
            Row("shared memory", $"{d.MaxSharedMemoryBytes / 1024} KiB");
            Row("push constants", $"{d.MaxPushConstantBytes} B");
            Row("storage buffer range", $"{d.MaxStorageBufferRange / 1048576.0:F0} MiB");
            Row("texel buffer elements", d.MaxTexelBufferElements);
            Row("alignment (storage / texel)", $"{d.MinStorageBufferOffsetAlignment} / {d.MinTexelBufferOffsetAlignment} B");
            Row("subgroup size", d.SubgroupSize);
            Row("fp16 / int8 arithmetic", $"{YesNo(d.ShaderFloat16)} / {YesNo(d.ShaderInt8)}");
            Row("timeline semaphores", YesNo(d.TimelineSemaphores));
            Row("timestamps", d.TimestampsSupported ? $"yes, {d.TimestampPeriodNs} ns per tick, {d.TimestampValidBits} valid bits" : "no");
            Row("device-local memory", $"{d.DeviceLocalBytes / 1048576.0:F0} MiB");
            AnsiConsole.Write(table);
        }
        return 0;
    }

    static string YesNo(bool b) => b ? "yes" : "no";
}
