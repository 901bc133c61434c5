namespace VkResNet.Runtime;

public enum ValidationSeverity { Info, Warning, Error }

/// <summary>One message from the validation layer (or the loader) through the debug messenger.</summary>
public readonly record struct ValidationMessage(ValidationSeverity Severity, string Id, string Text)
{
    public override string ToString() => $"[{Severity}] {Id}: {Text}";
}
