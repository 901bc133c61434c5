using VkResNet.Graph.Reporting;

namespace VkResNet.Viewer.Rendering;

/// <summary>
/// The curves panel of <c>--live RUN</c>: the run's loss (top half) and train/test error (bottom half) against
/// step, made on the host whenever a metrics row arrives. Each series becomes, per pixel column of its plot, the
/// range of rows its line covers there (<see cref="Pack"/>), which viewer_draw tests per pixel: no geometry,
/// no readback, and nothing to do between rows.
/// </summary>
public static class CurvesPanel
{
    public const int Series = 3; // loss, train error, test error
    public const uint Empty = 0xFFFFFFFFu;
    public const int LabelW = 84; // room left of each plot for its axis numbers
    // 0xBBGGRR, as labels; viewer_draw.comp draws the lines in the same colours.
    public const int LossColor = 0xE6E6E6, TrainColor = 0xF0AA5A, TestColor = 0x3CA0F0;

    public static uint Pack(int yMin, int yMax) => (uint)Math.Clamp(yMin, 0, 0xFFFF) | (uint)Math.Clamp(yMax, 0, 0xFFFF) << 16;

    /// <summary>The two plots inside the panel rectangle (loss above, error below), with room for labels.</summary>
    public static (Rect Loss, Rect Error) Plots(Rect panel)
    {
        int half = (panel.H - 20) / 2;
        var loss = new Rect(panel.X + LabelW, panel.Y + 16, Math.Max(1, panel.W - LabelW - 4), Math.Max(1, half - 16));
        var error = new Rect(loss.X, loss.Bottom + 20, loss.W, Math.Max(1, panel.H - (loss.Bottom + 20 - panel.Y) - 16));
        return (loss, error);
    }

    /// <summary>
    /// Fills <paramref name="columns"/> (<see cref="Series"/> x plot width, in that order) with each series' covered rows,
    /// relative to the plot's top, and adds the panel's labels. Returns the plot width used.
    /// </summary>
    public static int Build(IReadOnlyList<MetricsRow> rows, Rect panel, Span<uint> columns, LabelList labels)
    {
        var (lossRect, errRect) = Plots(panel);
        int w = Math.Min(lossRect.W, columns.Length / Series);
        columns[..(Series * w)].Fill(Empty);
        var train = rows.Where(r => r.Phase == MetricsRow.Train && double.IsFinite(r.Loss)).ToArray();
        var test = rows.Where(r => r.Phase == MetricsRow.Test && double.IsFinite(r.Accuracy)).ToArray();
        labels.Text(panel.X, panel.Y, train.Length == 0 ? "curves: waiting for the first metrics.csv row" : "curves (metrics.csv)", LabelList.Gray);
        if (train.Length == 0) return w;
        long lastStep = Math.Max(1, rows.Max(r => r.Step));
        double lossMax = train.Max(r => r.Loss) * 1.05, lossMin = 0;
        double errMax = Math.Max(1e-6, rows.Where(r => double.IsFinite(r.Accuracy)).Max(r => 100 * r.Error)) * 1.05;

        Trace(train.Select(r => (r.Step, r.Loss)).ToArray(), lossMin, lossMax, lossRect.H, columns.Slice(0, w));
        Trace(train.Select(r => (r.Step, 100 * r.Error)).ToArray(), 0, errMax, errRect.H, columns.Slice(w, w));
        Trace(test.Select(r => (r.Step, 100 * r.Error)).ToArray(), 0, errMax, errRect.H, columns.Slice(2 * w, w), marker: 2);

        void Trace((long Step, double V)[] pts, double lo, double hi, int h, Span<uint> col, int marker = 0)
        {
            int X(long step) => (int)Math.Round((double)step / lastStep * (w - 1));
            int Y(double v) => (int)Math.Round((1 - (v - lo) / (hi - lo)) * (h - 1));
            int thick = marker > 0 ? 1 : 0; // test lines are bold
            for (int i = 0; i < pts.Length; i++)
            {
                int x0 = X(pts[i].Step), y0 = Y(pts[i].V);
                for (int x = Math.Max(0, x0 - marker); x <= Math.Min(w - 1, x0 + marker); x++) Merge(ref col[x], y0 - marker, y0 + marker);
                if (i + 1 == pts.Length) break;
                int x1 = X(pts[i + 1].Step), y1 = Y(pts[i + 1].V);
                for (int x = Math.Max(0, x0); x <= Math.Min(w - 1, x1); x++)
                {
                    // The rows the segment covers inside this column, from its height at the column's two edges.
                    double ta = x1 == x0 ? 0 : (double)(x - x0) / (x1 - x0), tb = x1 == x0 ? 1 : Math.Min(1, (double)(x + 1 - x0) / (x1 - x0));
                    int ya = (int)Math.Round(y0 + (y1 - y0) * ta), yb = (int)Math.Round(y0 + (y1 - y0) * tb);
                    Merge(ref col[x], Math.Min(ya, yb) - thick, Math.Max(ya, yb) + thick);
                }
            }
        }

        var last = train[^1];
        string Num(double v) => v.ToString(v >= 100 ? "F0" : v >= 10 ? "F1" : "F3", System.Globalization.CultureInfo.InvariantCulture);
        labels.Text(panel.X, lossRect.Y, "loss", LabelList.White);
        labels.Text(panel.X, lossRect.Y + 14, Num(lossMax), LabelList.Dim);
        labels.Text(panel.X, lossRect.Bottom - 13, "0", LabelList.Dim);
        labels.Text(lossRect.X + 130, panel.Y, $"step {last.Step}  loss {Num(last.Loss)}  train err {Num(100 * last.Error)}%" +
            (test.Length > 0 ? $"  test err {Num(100 * test[^1].Error)}%" : ""), LabelList.White, maxColumns: (panel.W - 214) / 6);
        labels.Text(panel.X, errRect.Y, "error %", LabelList.White);
        labels.Text(panel.X, errRect.Y + 14, Num(errMax), LabelList.Dim);
        labels.Text(panel.X, errRect.Bottom - 13, "0", LabelList.Dim);
        labels.Text(errRect.X, errRect.Bottom + 3, "0", LabelList.Dim);
        string end = $"step {lastStep}";
        labels.Text(errRect.X + errRect.W - 6 * end.Length, errRect.Bottom + 3, end, LabelList.Dim);
        labels.Text(errRect.X + errRect.W / 2 - 60, errRect.Bottom + 3, "train", TrainColor); // the colours viewer_draw uses
        labels.Text(errRect.X + errRect.W / 2, errRect.Bottom + 3, "test", TestColor);
        return w;
    }

    static void Merge(ref uint cell, int lo, int hi)
    {
        if (cell != Empty)
        {
            lo = Math.Min(lo, (int)(cell & 0xFFFF));
            hi = Math.Max(hi, (int)(cell >> 16));
        }
        cell = Pack(Math.Max(0, lo), Math.Max(0, hi));
    }
}
