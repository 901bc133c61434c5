namespace VkResNet.Viewer.Rendering;

/// <summary>A rectangle in output pixels.</summary>
public readonly record struct Rect(int X, int Y, int W, int H)
{
    public bool Contains(int x, int y) => x >= X && y >= Y && x < X + W && y < Y + H;
    public int Bottom => Y + H;
}

/// <summary>
/// Where everything goes in a frame of a given size: the stage strip on top, the input image,
/// top-5 and text down the left, the colour bar over the selected stage's channel tiles, which fill
/// the rest (paged when they do not fit at <see cref="MinTile"/> pixels; a tile may stretch up to
/// <see cref="MaxStretch"/> past its map's aspect to fill the space), and with --live the curves panel
/// below them. Pure arithmetic: tested without a GPU, and
/// used for mouse hit tests.
/// </summary>
public sealed record ViewLayout
{
    /// <summary>Stage strip: name at the top of a button, its mean/std numbers at <see cref="StripNumberY"/>, bars in the bottom <see cref="BarH"/> rows.</summary>
    public const int StripNumberY = 18, FontH = 13;
    public const int Margin = 8, StripH = 56, BarH = 22, ButtonGap = 4, Gap = 2, MinTile = 24, TopRowH = 18;
    /// <summary>Colour bar row: the bar, with the value at each end as numbers (10 columns of 6 px).</summary>
    public const int ColourBarH = 12, ColourBarRow = 22, ColourLabelW = 66;
    public const double MaxStretch = 1.25;

    public required int Width { get; init; }
    public required int Height { get; init; }
    public required int StageCount { get; init; }
    public required int ButtonW { get; init; }
    public required Rect InputRect { get; init; }
    public required Rect TopRect { get; init; }
    public required int TextY { get; init; }
    public required Rect GridArea { get; init; }
    public required Rect ColourBar { get; init; }
    /// <summary>The curves panel (--live); empty (W 0) without one.</summary>
    public required Rect Curves { get; init; }
    public required int Cols { get; init; }
    public required int Rows { get; init; }
    public required int TileW { get; init; }
    public required int TileH { get; init; }
    public required int FirstChannel { get; init; }
    public required int TileCount { get; init; }
    public required int PerPage { get; init; }
    public required int Pages { get; init; }

    public int ColumnW => InputRect.W > 0 ? Math.Max(InputRect.W, TopRect.W) : TopRect.W;

    public Rect Button(int stage) => new(Margin + stage * (ButtonW + ButtonGap), Margin, ButtonW, StripH);

    public static ViewLayout Compute(int width, int height, int stageCount, (int C, int H, int W) stage, (int H, int W) input,
        int page, int zoomChannel, bool curves = false)
    {
        width = Math.Max(width, 64);
        height = Math.Max(height, 64);
        int buttonW = Math.Clamp((width - 2 * Margin - ButtonGap * (stageCount - 1)) / Math.Max(stageCount, 1), 8, 160);
        int top = Margin + StripH + Margin;
        int colW = Math.Clamp(width / 4, 96, 240);

        // Input image keeps its aspect ratio inside a colW square.
        int inW = colW, inH = colW;
        if (input.W >= input.H) inH = Math.Max(1, colW * input.H / input.W);
        else inW = Math.Max(1, colW * input.W / input.H);
        var inputRect = new Rect(Margin, top, inW, inH);
        var topRect = new Rect(Margin, inputRect.Bottom + 12 + 16, colW, 5 * TopRowH);
        int textY = topRect.Bottom + 12;

        int gx = Margin + colW + 16;
        int right = Math.Max(width - gx - Margin, 1);
        var colourBar = new Rect(gx + ColourLabelW, top + 2, Math.Max(1, right - 2 * ColourLabelW), ColourBarH);
        int gridTop = top + ColourBarRow;
        int below = Math.Max(height - gridTop - Margin, 1);
        var curvesRect = new Rect(gx, height - Margin, 0, 0);
        if (curves)
        {
            int ch = Math.Clamp((int)(below * 0.34), 120, 280);
            curvesRect = new Rect(gx, height - Margin - ch, right, ch);
            below = Math.Max(below - ch - Margin, 1);
        }
        var area = new Rect(gx, gridTop, right, below);
        double aspect = (double)stage.H / Math.Max(stage.W, 1);

        if (zoomChannel >= 0 && zoomChannel < stage.C)
        {
            (int tw, int th) = Fit(area.W, area.H, aspect);
            return Make(1, 1, tw, th, zoomChannel, 1, 1, 1);
        }

        int minTileH = Math.Max(1, (int)Math.Round(MinTile * aspect));
        int maxCols = Math.Max(1, (area.W + Gap) / (MinTile + Gap));
        int maxRows = Math.Max(1, (area.H + Gap) / (minTileH + Gap));
        int perPage = Math.Min(stage.C, maxCols * maxRows);
        int bestCols = 1, bestW = 0, bestH = 0;
        for (int cols = 1; cols <= perPage; cols++)
        {
            int rows = (perPage + cols - 1) / cols;
            int cellW = (area.W - Gap * (cols - 1)) / cols, cellH = (area.H - Gap * (rows - 1)) / rows;
            (int tw, int th) = Fit(cellW, cellH, aspect);
            // Stretch along the dimension with room to spare, a little: the grid fills the area instead of leaving a band.
            (tw, th) = (Math.Max(1, Math.Min(cellW, (int)(tw * MaxStretch))), Math.Max(1, Math.Min(cellH, (int)(th * MaxStretch))));
            if ((long)tw * th > (long)bestW * bestH) (bestCols, bestW, bestH) = (cols, tw, th);
        }
        int pages = Math.Max(1, (stage.C + perPage - 1) / perPage);
        int p = Math.Clamp(page, 0, pages - 1);
        int first = p * perPage;
        return Make(bestCols, (perPage + bestCols - 1) / bestCols, bestW, bestH, first, Math.Min(perPage, stage.C - first), perPage, pages);

        ViewLayout Make(int cols, int rows, int tw, int th, int first, int count, int per, int pages) => new()
        {
            Width = width, Height = height, StageCount = stageCount, ButtonW = buttonW,
            InputRect = inputRect, TopRect = topRect, TextY = textY, GridArea = area, ColourBar = colourBar, Curves = curvesRect,
            Cols = cols, Rows = rows, TileW = Math.Max(tw, 1), TileH = Math.Max(th, 1),
            FirstChannel = first, TileCount = count, PerPage = per, Pages = pages,
        };
    }

    /// <summary>The largest tile of the given height/width aspect inside w x h.</summary>
    static (int W, int H) Fit(int w, int h, double aspect)
    {
        w = Math.Max(w, 1);
        h = Math.Max(h, 1);
        int tw = Math.Min(w, (int)Math.Floor(h / aspect));
        return (Math.Max(tw, 1), Math.Max(1, (int)Math.Round(tw * aspect)));
    }

    /// <summary>Top-left corner of tile t (0-based within the page).</summary>
    public (int X, int Y) TileOrigin(int t) =>
        (GridArea.X + t % Cols * (TileW + Gap), GridArea.Y + t / Cols * (TileH + Gap));

    /// <summary>The channel drawn at pixel (x, y), or -1.</summary>
    public int ChannelAt(int x, int y)
    {
        if (x < GridArea.X || y < GridArea.Y) return -1;
        int col = (x - GridArea.X) / (TileW + Gap), row = (y - GridArea.Y) / (TileH + Gap);
        if (col >= Cols || row >= Rows) return -1;
        if ((x - GridArea.X) % (TileW + Gap) >= TileW || (y - GridArea.Y) % (TileH + Gap) >= TileH) return -1;
        int t = row * Cols + col;
        return t < TileCount ? FirstChannel + t : -1;
    }

    /// <summary>The stage whose strip button is at (x, y), or -1.</summary>
    public int StageAt(int x, int y)
    {
        for (int s = 0; s < StageCount; s++)
            if (Button(s).Contains(x, y)) return s;
        return -1;
    }
}
