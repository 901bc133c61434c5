using System.Globalization;
using System.Text;
using System.Xml.Linq;

namespace VkResNet.Graph.Reporting;

/// <summary>How one series is drawn. Thin for training curves and bold for test curves, as in He et al. Fig. 1/4.</summary>
public sealed record SeriesStyle(string? Color = null, double StrokeWidth = 1.5, bool Dashed = false, bool Markers = false)
{
    public static SeriesStyle Train(string? color = null) => new(color, 1.0, Dashed: true);
    /// <summary>Bold, with a dot per point: test rows come once per epoch, and one epoch is a single point.</summary>
    public static SeriesStyle Test(string? color = null) => new(color, 2.5, Markers: true);
}

/// <summary>
/// A dependency-free SVG line chart: several named series over a linear x axis and a linear or log y axis,
/// "nice" ticks (1-2-5 steps, decades on a log axis), grid, axis labels, title and legend.
/// NaN points (and non-positive ones on a log axis) break a line instead of bending it.
/// </summary>
public sealed class SvgPlot
{
    private static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
    private readonly List<(string Name, double[] X, double[] Y, SeriesStyle Style, string Color)> _series = [];
    private int _nextColor;

    public string Title { get; set; } = "";
    public string XLabel { get; set; } = "";
    public string YLabel { get; set; } = "";
    public bool LogY { get; set; }
    public int Width { get; set; } = 720;
    public int Height { get; set; } = 480;
    /// <summary>Fixed y range; null fits the data.</summary>
    public double? YMin { get; set; }
    public double? YMax { get; set; }
    /// <summary>Fixed x range; null fits the data (panels of one figure share theirs).</summary>
    public double? XMin { get; set; }
    public double? XMax { get; set; }

    /// <summary>Room right of the plot for the legend; null fits the names (panels of one figure share the widest).</summary>
    public double? LegendWidth { get; set; }
    internal double NaturalLegendWidth => _series.Count == 0 ? 0 : 24 + 7 * _series.Max(s => s.Name.Length);

    public IReadOnlyList<string> SeriesNames => _series.Select(s => s.Name).ToArray();

    public SvgPlot AddSeries(string name, IReadOnlyList<double> x, IReadOnlyList<double> y, SeriesStyle? style = null)
    {
        if (x.Count != y.Count) throw new ArgumentException($"series '{name}' has {x.Count} x values and {y.Count} y values");
        style ??= new SeriesStyle();
        string color = style.Color ?? Palette[_nextColor++ % Palette.Length];
        _series.Add((name, x.ToArray(), y.ToArray(), style, color));
        return this;
    }

    /// <summary>A model's train (thin, dashed) and test (bold) curves in one colour: "{name} train" and "{name} test".</summary>
    public SvgPlot AddTrainTest(string name, IReadOnlyList<double> x, IReadOnlyList<double> train, IReadOnlyList<double> test, string? color = null)
    {
        color ??= Palette[_nextColor++ % Palette.Length];
        AddSeries($"{name} train", x, train, SeriesStyle.Train(color));
        return AddSeries($"{name} test", x, test, SeriesStyle.Test(color));
    }

    public void Save(string path) => IO.AtomicFile.Write(path, s =>
    {
        byte[] bytes = new UTF8Encoding(false).GetBytes(ToSvg());
        s.Write(bytes);
    });

    public string ToSvg() => SvgFigure.Document(Width, Height, [Render(0, "plot")]);

    /// <summary>The chart as one group at <paramref name="offsetY"/>; <paramref name="clipId"/> is unique within the document.</summary>
    internal XElement Render(double offsetY, string clipId)
    {
        const double left = 70, right = 20, top = 40, bottom = 55;
        double legendWidth = LegendWidth ?? NaturalLegendWidth;
        double plotW = Math.Max(50, Width - left - right - legendWidth), plotH = Math.Max(50, Height - top - bottom);

        var xs = _series.SelectMany(s => s.X).Where(double.IsFinite).ToArray();
        var ys = _series.SelectMany(s => s.Y).Where(v => double.IsFinite(v) && (!LogY || v > 0)).ToArray();
        (double x0, double x1) = Range(xs, 0, 1);
        if (XMin is double xa) x0 = xa;
        if (XMax is double xb && xb > x0) x1 = xb;
        (double y0, double y1) = Range(ys, LogY ? 0.01 : 0, 1);
        if (YMin is double a) y0 = a;
        if (YMax is double b) y1 = b;
        if (LogY && (y0 <= 0 || y1 <= 0)) throw new InvalidOperationException("a log y axis needs a positive range");
        double[] xTicks = LinearTicks(x0, x1);
        double[] yTicks = LogY ? LogTicks(y0, y1) : LinearTicks(y0, y1);
        if (!YMin.HasValue) y0 = Math.Min(y0, yTicks[0]);
        if (!YMax.HasValue) y1 = Math.Max(y1, yTicks[^1]);
        x0 = Math.Min(x0, xTicks[0]);
        x1 = Math.Max(x1, xTicks[^1]);
        yTicks = yTicks.Where(t => t >= y0 - 1e-12 && t <= y1 + 1e-12).ToArray();

        double Px(double x) => left + (x - x0) / (x1 - x0) * plotW;
        double Py(double y) => LogY
            ? top + plotH - (Math.Log10(y) - Math.Log10(y0)) / (Math.Log10(y1) - Math.Log10(y0)) * plotH
            : top + plotH - (y - y0) / (y1 - y0) * plotH;

        XNamespace ns = SvgFigure.Ns;
        var svg = new XElement(ns + "g", new XAttribute("class", "panel"), new XAttribute("data-panel", YLabel),
            new XAttribute("transform", $"translate(0 {F(offsetY)})"));
        if (Title.Length > 0) svg.Add(Text(ns, Width / 2.0, 22, Title, "middle", 15, "title"));

        var axes = new XElement(ns + "g", new XAttribute("class", "axes"), new XAttribute("stroke", "#000"));
        foreach (double t in xTicks)
        {
            double px = Px(t);
            axes.Add(Line(ns, px, top, px, top + plotH, "#e6e6e6", 1));
            axes.Add(Line(ns, px, top + plotH, px, top + plotH + 5, "#000", 1));
            axes.Add(Text(ns, px, top + plotH + 18, Num(t), "middle", 11, null));
        }
        foreach (double t in yTicks)
        {
            double py = Py(t);
            axes.Add(Line(ns, left, py, left + plotW, py, "#e6e6e6", 1));
            axes.Add(Line(ns, left - 5, py, left, py, "#000", 1));
            axes.Add(Text(ns, left - 8, py + 4, Num(t), "end", 11, null));
        }
        axes.Add(new XElement(ns + "rect", new XAttribute("x", F(left)), new XAttribute("y", F(top)), new XAttribute("width", F(plotW)),
            new XAttribute("height", F(plotH)), new XAttribute("fill", "none"), new XAttribute("stroke", "#000")));
        svg.Add(axes);
        svg.Add(Text(ns, left + plotW / 2, Height - 12, XLabel, "middle", 13, "xlabel"));
        var yl = Text(ns, 0, 0, YLabel, "middle", 13, "ylabel");
        yl.SetAttributeValue("transform", $"translate(18 {F(top + plotH / 2)}) rotate(-90)");
        svg.Add(yl);

        var lines = new XElement(ns + "g", new XAttribute("class", "series"), new XAttribute("clip-path", $"url(#{clipId})"));
        svg.Add(new XElement(ns + "defs", new XElement(ns + "clipPath", new XAttribute("id", clipId),
            new XElement(ns + "rect", new XAttribute("x", F(left)), new XAttribute("y", F(top)), new XAttribute("width", F(plotW)), new XAttribute("height", F(plotH))))));
        foreach (var s in _series)
        {
            var d = new StringBuilder();
            bool pen = false;
            for (int i = 0; i < s.X.Length; i++)
            {
                bool ok = double.IsFinite(s.X[i]) && double.IsFinite(s.Y[i]) && (!LogY || s.Y[i] > 0);
                if (!ok) { pen = false; continue; }
                d.Append(pen ? " L" : (d.Length > 0 ? " M" : "M")).Append(F(Px(s.X[i]))).Append(' ').Append(F(Py(s.Y[i])));
                pen = true;
            }
            var path = new XElement(ns + "path", new XAttribute("d", d.ToString()), new XAttribute("fill", "none"),
                new XAttribute("stroke", s.Color), new XAttribute("stroke-width", F(s.Style.StrokeWidth)), new XAttribute("data-series", s.Name));
            if (s.Style.Dashed) path.SetAttributeValue("stroke-dasharray", "5 3");
            path.Add(new XElement(ns + "title", s.Name));
            lines.Add(path);
            if (s.Style.Markers)
                for (int i = 0; i < s.X.Length; i++)
                    if (double.IsFinite(s.X[i]) && double.IsFinite(s.Y[i]) && (!LogY || s.Y[i] > 0))
                        lines.Add(new XElement(ns + "circle", new XAttribute("cx", F(Px(s.X[i]))), new XAttribute("cy", F(Py(s.Y[i]))),
                            new XAttribute("r", F(s.Style.StrokeWidth + 0.5)), new XAttribute("fill", s.Color)));
        }
        svg.Add(lines);

        var legend = new XElement(ns + "g", new XAttribute("class", "legend"));
        double lx = left + plotW + 12, ly = top + 8;
        foreach (var s in _series)
        {
            var l = Line(ns, lx, ly, lx + 18, ly, s.Color, s.Style.StrokeWidth);
            if (s.Style.Dashed) l.SetAttributeValue("stroke-dasharray", "5 3");
            legend.Add(l);
            legend.Add(Text(ns, lx + 22, ly + 4, s.Name, "start", 11, null));
            ly += 18;
        }
        svg.Add(legend);
        return svg;
    }

    private static (double, double) Range(double[] v, double emptyMin, double emptyMax)
    {
        if (v.Length == 0) return (emptyMin, emptyMax);
        double lo = v.Min(), hi = v.Max();
        if (lo == hi)
        {
            double pad = lo == 0 ? 1 : Math.Abs(lo) * 0.1;
            return (lo - pad, hi + pad);
        }
        return (lo, hi);
    }

    /// <summary>Ticks at multiples of a 1-2-5 step giving about 5-10 ticks covering [lo, hi].</summary>
    internal static double[] LinearTicks(double lo, double hi)
    {
        double raw = (hi - lo) / 6;
        double mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1.0, 2.0, 5.0, 10.0 }.Select(m => m * mag).First(s => s >= raw);
        double first = Math.Floor(lo / step + 1e-9) * step, last = Math.Ceiling(hi / step - 1e-9) * step;
        var ticks = new List<double>();
        for (int i = 0; first + i * step <= last + step * 1e-9; i++) ticks.Add(Math.Round((first + i * step) / step) * step);
        return ticks.ToArray();
    }

    /// <summary>Decades covering [lo, hi]; with 2 or 5 between them when the range spans fewer than three decades.</summary>
    internal static double[] LogTicks(double lo, double hi)
    {
        int d0 = (int)Math.Floor(Math.Log10(lo) + 1e-9), d1 = (int)Math.Ceiling(Math.Log10(hi) - 1e-9);
        if (d1 == d0) d1++;
        double[] mults = d1 - d0 < 3 ? [1, 2, 5] : [1];
        var ticks = new List<double>();
        for (int d = d0; d <= d1; d++)
            foreach (double m in mults)
            {
                double t = m * Math.Pow(10, d);
                if (d == d1 && m > 1) break;
                ticks.Add(t);
            }
        return ticks.ToArray();
    }

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
    private static string Num(double v) => Math.Abs(v) >= 1e5 || (v != 0 && Math.Abs(v) < 1e-3) ? v.ToString("0.##E+0", CultureInfo.InvariantCulture) : v.ToString("0.####", CultureInfo.InvariantCulture);

    private static XElement Line(XNamespace ns, double x1, double y1, double x2, double y2, string stroke, double width) =>
        new(ns + "line", new XAttribute("x1", F(x1)), new XAttribute("y1", F(y1)), new XAttribute("x2", F(x2)), new XAttribute("y2", F(y2)),
            new XAttribute("stroke", stroke), new XAttribute("stroke-width", F(width)));

    private static XElement Text(XNamespace ns, double x, double y, string text, string anchor, int size, string? cls)
    {
        var e = new XElement(ns + "text", new XAttribute("x", F(x)), new XAttribute("y", F(y)), new XAttribute("text-anchor", anchor),
            new XAttribute("font-size", size), new XAttribute("stroke", "none"), text);
        if (cls is not null) e.SetAttributeValue("class", cls);
        return e;
    }
}
