using System.Text;
using System.Xml.Linq;

namespace VkResNet.Graph.Reporting;

/// <summary>
/// Several <see cref="SvgPlot"/> panels stacked top to bottom in one SVG, under one title. Panels that should share
/// an axis are given the same <see cref="SvgPlot.XMin"/>/<see cref="SvgPlot.XMax"/> by whoever builds them.
/// </summary>
public sealed class SvgFigure
{
    internal static readonly XNamespace Ns = "http://www.w3.org/2000/svg";
    private readonly List<SvgPlot> _panels = [];

    public string Title { get; set; } = "";
    public int Width { get; set; } = 760;
    public IReadOnlyList<SvgPlot> Panels => _panels;

    public SvgFigure Add(SvgPlot panel)
    {
        _panels.Add(panel);
        return this;
    }

    public string ToSvg()
    {
        const int titleHeight = 30;
        var groups = new List<XElement>();
        double y = Title.Length > 0 ? titleHeight : 0;
        double legend = _panels.Select(p => p.NaturalLegendWidth).DefaultIfEmpty(0).Max(); // one plot width: the x axes line up
        for (int i = 0; i < _panels.Count; i++)
        {
            _panels[i].Width = Width;
            _panels[i].LegendWidth = legend;
            groups.Add(_panels[i].Render(y, $"plot{i}"));
            y += _panels[i].Height;
        }
        if (Title.Length > 0)
            groups.Insert(0, new XElement(Ns + "text", new XAttribute("x", Width / 2), new XAttribute("y", 20), new XAttribute("text-anchor", "middle"),
                new XAttribute("font-size", 15), new XAttribute("class", "title"), Title));
        return Document(Width, (int)Math.Ceiling(y), groups);
    }

    public void Save(string path) => IO.AtomicFile.Write(path, s => s.Write(new UTF8Encoding(false).GetBytes(ToSvg())));

    internal static string Document(int width, int height, IEnumerable<XElement> content)
    {
        var svg = new XElement(Ns + "svg",
            new XAttribute("width", width), new XAttribute("height", height), new XAttribute("viewBox", $"0 0 {width} {height}"),
            new XAttribute("font-family", "sans-serif"), new XAttribute("font-size", 12));
        svg.Add(new XElement(Ns + "rect", new XAttribute("width", "100%"), new XAttribute("height", "100%"), new XAttribute("fill", "white")));
        foreach (var e in content) svg.Add(e);
        return new XDocument(new XDeclaration("1.0", "utf-8", null), svg).Declaration + "\n" + svg.ToString();
    }
}
