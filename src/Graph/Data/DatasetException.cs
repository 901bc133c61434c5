namespace VkResNet.Graph.Data;

/// <summary>A dataset file or folder that cannot be read; the message names the file and what is wrong.</summary>
public sealed class DatasetException : Exception
{
    public DatasetException(string message) : base(Edge.TopLevel.Printable(message, keepNewlines: true)) { }
    public DatasetException(string message, Exception inner) : base(Edge.TopLevel.Printable(message, keepNewlines: true), inner) { }

    internal static DatasetException For(string path, string problem) => new($"{path}: {problem}");
}
