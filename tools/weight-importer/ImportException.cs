namespace VkResNet.Importer;

/// <summary>An input the importer refuses or cannot read; the message is the one line the user sees.</summary>
public sealed class ImportException : Exception
{
    public ImportException(string message) : base(VkResNet.Graph.Edge.TopLevel.Printable(message, keepNewlines: true)) { }
    public ImportException(string message, Exception inner) : base(VkResNet.Graph.Edge.TopLevel.Printable(message, keepNewlines: true), inner) { }
}
