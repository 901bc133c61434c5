namespace VkResNet.Viewer.Glfw;

/// <summary>The GLFW key and mouse-button codes the viewer handles (values from glfw3.h).</summary>
public static class GlfwKeys
{
    public const int Space = 32, N = 78, P = 80, S = 83, Z = 90;
    public const int Escape = 256, Enter = 257, Right = 262, Left = 263, Down = 264, Up = 265, PageUp = 266, PageDown = 267;
    public const int MouseLeft = 0, MouseRight = 1;
}
