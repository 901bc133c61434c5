namespace VkResNet.Graph.IO;

/// <summary>A weight or checkpoint file that cannot be read or written; the message names the file and the problem.</summary>
public sealed class WeightFileException : Exception
{
    public WeightFileException(string message) : base(Edge.TopLevel.Printable(message, keepNewlines: true)) { }
    public WeightFileException(string message, Exception inner) : base(Edge.TopLevel.Printable(message, keepNewlines: true), inner) { }

    internal static WeightFileException For(string path, string problem) => new($"{path}: {problem}");
}
