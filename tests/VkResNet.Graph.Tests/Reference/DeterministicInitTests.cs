using System.Buffers.Binary;
using System.Text.Json;
using VkResNet.Runtime.Tests;
using Xunit;

namespace VkResNet.Graph.Tests.Reference;

// The C# deterministic init must reproduce what tests/reference/det_init.py fed PyTorch, or every
// whole-network comparison against the fixtures starts from different weights.
public sealed class DeterministicInitTests
{
    // Both sides compute in float64 and round once; only a last-ulp difference in sin may remain.
    private const double Abs = 1e-7, Rel = 1e-6;

    [Theory]
    [InlineData("conv1.weight")]
    [InlineData("layer1.0.bn1.weight")]
    [InlineData("layer2.0.bn2.running_var")]
    [InlineData("layer3.2.conv2.weight")]
    [InlineData("fc.weight")]
    [InlineData("fc.bias")]
    public void ResNet20ParameterMatchesFixture(string name)
    {
        var file = FixtureFile.Load("resnet20_fmnist_step.safetensors");
        var entry = file.Parameters.Single(p => p.Name == name);
        var expected = file.Tensor("init." + name);
        Assert.Equal(entry.Shape, expected.Shape);

        float[] actual = DeterministicInit.Parameter(name, entry.Shape, entry.K);

        Tolerance.AssertClose(expected.Data, actual, Abs, Rel, $"resnet20 init.{name} (k={entry.K})");
    }

    // Goes through StateDict with PyTorch's full list, so the k numbering (num_batches_tracked
    // skipped) is checked on all 122 ResNet-18 entries, by full-tensor stats and by samples.
    [Fact]
    public void ResNet18StateDictMatchesFixtureStatsAndSamples()
    {
        var file = FixtureFile.Load("resnet18_step.safetensors");
        var entries = file.Parameters.Select(p => (p.Name, p.Shape)).ToList();

        float[][] values = DeterministicInit.StateDict(entries);

        int checkedCount = 0;
        for (int i = 0; i < entries.Count; i++)
        {
            var (name, _) = entries[i];
            if (DeterministicInit.IsSkipped(name))
            {
                Assert.Empty(values[i]);
                continue;
            }
            var v = values[i];
            long[] idx = DeterministicInit.SampleIndices(v.Length);
            var sample = idx.Select(j => v[j]).ToArray();
            Tolerance.AssertClose(file.Tensor("sample.init." + name).Data, sample, Abs, Rel, $"resnet18 sample.init.{name}");

            double sum = 0, sumAbs = 0, sumSq = 0;
            foreach (float x in v) { sum += x; sumAbs += Math.Abs(x); sumSq += (double)x * x; }
            var stats = file.Tensor("stats.init." + name).Data;
            // The sum cancels, so its tolerance scales with sum_abs rather than with itself.
            Assert.True(Math.Abs(sum - stats[0]) <= 1e-9 * stats[1] + 1e-12, $"{name}: sum {sum:G17} vs {stats[0]:G17}");
            Tolerance.AssertClose(stats.AsSpan(1), new[] { (float)sumAbs, (float)sumSq, (float)v.Length }, 0, 1e-6, $"resnet18 stats.init.{name}");
            checkedCount++;
        }
        Assert.Equal(entries.Count(e => !DeterministicInit.IsSkipped(e.Name)), checkedCount);
    }

    [Theory]
    [InlineData("resnet20_fmnist_step.safetensors", 10)]
    [InlineData("resnet18_step.safetensors", 10)]
    public void InputAndLabelsMatchFixture(string fixture, int classes)
    {
        var file = FixtureFile.Load(fixture);
        var input = file.Tensor("input");
        int[] s = input.Shape;

        float[] x = DeterministicInit.Input(s[0], s[1], s[2], s[3]);
        int[] y = DeterministicInit.Labels(s[0], classes);

        Tolerance.AssertClose(input.Data, x, Abs, Rel, $"{fixture} input");
        Tolerance.AssertCounts(file.Tensor("labels").Data, y.Select(v => (float)v).ToArray(), $"{fixture} labels"); // class indices
    }

    [Fact]
    public void SampleIndicesSpanTheTensorEvenly()
    {
        long[] idx = DeterministicInit.SampleIndices(1000);

        Assert.Equal(64, idx.Length);
        Assert.Equal(0, idx[0]);
        Assert.Equal(999, idx[63]);
        Assert.Equal(16, idx[1]);          // round(999/63) = round(15.857)
        Assert.All(idx.Zip(idx.Skip(1)), p => Assert.True(p.Second > p.First));
    }

    // A test-local safetensors reader (F32, F64, I32 only); the product reader lives in src/Graph/IO.
    private sealed class FixtureFile
    {
        public sealed record Entry(string Name, int[] Shape, int K);
        public sealed record TensorData(int[] Shape, double[] Data);

        private readonly Dictionary<string, TensorData> tensors;
        public IReadOnlyList<Entry> Parameters { get; }

        private FixtureFile(Dictionary<string, TensorData> tensors, IReadOnlyList<Entry> parameters)
        {
            this.tensors = tensors;
            Parameters = parameters;
        }

        public TensorData Tensor(string name) =>
            tensors.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"fixture has no tensor '{name}'");

        public static FixtureFile Load(string fileName)
        {
            byte[] raw = File.ReadAllBytes(Path.Combine(FixturesDirectory(), fileName));
            long headerLength = BinaryPrimitives.ReadInt64LittleEndian(raw);
            using var header = JsonDocument.Parse(raw.AsMemory(8, checked((int)headerLength)));
            int dataStart = 8 + (int)headerLength;

            var tensors = new Dictionary<string, TensorData>();
            var parameters = new List<Entry>();
            foreach (var prop in header.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    string json = prop.Value.GetProperty("parameters").GetString()!;
                    using var list = JsonDocument.Parse(json);
                    foreach (var p in list.RootElement.EnumerateArray())
                        parameters.Add(new Entry(p[0].GetString()!, p[1].EnumerateArray().Select(d => d.GetInt32()).ToArray(), p[2].GetInt32()));
                    continue;
                }
                string dtype = prop.Value.GetProperty("dtype").GetString()!;
                int[] shape = prop.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
                var offsets = prop.Value.GetProperty("data_offsets");
                var bytes = raw.AsSpan(dataStart + offsets[0].GetInt32(), offsets[1].GetInt32() - offsets[0].GetInt32());
                tensors[prop.Name] = new TensorData(shape, Decode(dtype, bytes, prop.Name));
            }
            return new FixtureFile(tensors, parameters);
        }

        private static double[] Decode(string dtype, ReadOnlySpan<byte> bytes, string name)
        {
            int size = dtype switch { "F32" or "I32" => 4, "F64" => 8, _ => throw new InvalidDataException($"{name}: dtype {dtype} not supported") };
            var data = new double[bytes.Length / size];
            for (int i = 0; i < data.Length; i++)
            {
                var b = bytes.Slice(i * size, size);
                data[i] = dtype switch
                {
                    "F32" => BinaryPrimitives.ReadSingleLittleEndian(b),
                    "F64" => BinaryPrimitives.ReadDoubleLittleEndian(b),
                    _ => BinaryPrimitives.ReadInt32LittleEndian(b),
                };
            }
            return data;
        }

        // tests/fixtures of the repository this test binary was built from.
        private static string FixturesDirectory()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "tests", "fixtures");
                if (File.Exists(Path.Combine(dir.FullName, "VkResNet.sln")) && Directory.Exists(candidate)) return candidate;
            }
            throw new DirectoryNotFoundException($"no tests/fixtures above {AppContext.BaseDirectory}");
        }
    }
}
