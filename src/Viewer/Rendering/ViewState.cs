namespace VkResNet.Viewer.Rendering;

/// <summary>What the user chose to look at; changed by keys and mouse, read by the layout.</summary>
public sealed class ViewState
{
    public int Stage { get; set; }
    public int Page { get; set; }
    /// <summary>Channel shown alone, filling the grid; -1 for the tile grid.</summary>
    public int ZoomChannel { get; set; } = -1;
    public bool PerStageNormalisation { get; set; }
    public int FramesPerInference { get; set; } = 4;
    /// <summary>Host-measured frame time and GPU-measured inference and draw times, for the text panel.</summary>
    public double FrameMs { get; set; }
    public double InferenceMs { get; set; }
    public double DrawMs { get; set; }

    public void SelectStage(int stage, int stageCount)
    {
        Stage = Math.Clamp(stage, 0, stageCount - 1);
        Page = 0;
        ZoomChannel = -1;
    }
}
