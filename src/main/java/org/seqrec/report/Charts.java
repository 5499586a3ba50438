package org.seqrec.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.seqrec.util.AtomicFiles;
import org.seqrec.util.SeqrecException;

/** Line charts written as PNG and SVG (XChart, headless). */
public final class Charts {
    private Charts() {}

    /** One line of a chart; {@code errors} (or null) are half-widths drawn as error bars around each y. */
    public record Series(String name, List<? extends Number> x, List<? extends Number> y, List<? extends Number> errors) {
        public Series(String name, List<? extends Number> x, List<? extends Number> y) {
            this(name, x, y, null);
        }
    }

    /** A reference value drawn as a dashed horizontal line across the chart (a baseline configuration, a paper's figure). */
    public record Baseline(String name, double y) {}

    public static XYChart line(String title, String xLabel, String yLabel, List<Series> series) {
        return line(title, xLabel, yLabel, series, List.of());
    }

    /**
     * A line chart whose y axis holds every point, every error bar and every baseline with a margin (so
     * whiskers stay inside the frame), with tick labels rounded to the axis' scale (no {@code 0.609540050665329}).
     */
    public static XYChart line(String title, String xLabel, String yLabel, List<Series> series, List<Baseline> baselines) {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setMarkerSize(6);
        double yLo = Double.POSITIVE_INFINITY;
        double yHi = Double.NEGATIVE_INFINITY;
        double xLo = Double.POSITIVE_INFINITY;
        double xHi = Double.NEGATIVE_INFINITY;
        boolean integralX = true;
        for (Series s : series) {
            for (int k = 0; k < s.y().size(); k++) {
                double y = s.y().get(k).doubleValue();
                double x = s.x().get(k).doubleValue();
                double e = s.errors() == null ? 0 : s.errors().get(k).doubleValue();
                if (!Double.isFinite(e)) {
                    e = 0;
                }
                if (Double.isFinite(y)) {
                    yLo = Math.min(yLo, y - e);
                    yHi = Math.max(yHi, y + e);
                }
                if (Double.isFinite(x)) {
                    xLo = Math.min(xLo, x);
                    xHi = Math.max(xHi, x);
                    integralX &= x == Math.rint(x);
                }
            }
            if (s.errors() == null) {
                chart.addSeries(s.name(), s.x(), s.y());
            } else {
                chart.addSeries(s.name(), s.x(), s.y(), s.errors());
            }
        }
        for (Baseline b : baselines) {
            yLo = Math.min(yLo, b.y());
            yHi = Math.max(yHi, b.y());
        }
        if (Double.isFinite(xLo)) {
            for (Baseline b : baselines) {
                XYSeries line = chart.addSeries(b.name(), List.of(xLo, xHi), List.of(b.y(), b.y()));
                line.setMarker(SeriesMarkers.NONE);
                line.setLineStyle(SeriesLines.DASH_DASH);
            }
            chart.getStyler().setXAxisDecimalPattern(integralX ? "#,##0" : decimalPattern(xHi - xLo));
        }
        if (Double.isFinite(yLo)) {
            double[] range = yRange(yLo, yHi);
            chart.getStyler().setYAxisMin(range[0]);
            chart.getStyler().setYAxisMax(range[1]);
            chart.getStyler().setYAxisDecimalPattern(decimalPattern(range[1] - range[0]));
        }
        return chart;
    }

    /** The y axis: the data's span (whiskers and baselines included) with 8% margin on each side; a flat span gets a small one. */
    static double[] yRange(double lo, double hi) {
        double span = hi - lo;
        double pad = span > 0 ? span * 0.08 : Math.max(Math.abs(hi) * 0.05, 1e-3);
        return new double[] {lo - pad, hi + pad};
    }

    /** A {@link java.text.DecimalFormat} pattern with as many decimals as ticks about {@code span / 8} apart need. */
    static String decimalPattern(double span) {
        if (!(span > 0) || !Double.isFinite(span)) {
            return "#,##0.###";
        }
        int decimals = Math.max(0, (int) Math.ceil(-Math.log10(span / 8)));
        return decimals == 0 ? "#,##0" : "#,##0." + "0".repeat(Math.min(decimals, 6));
    }

    /** Writes {@code base.png} and {@code base.svg}, each atomically. */
    public static void save(XYChart chart, Path base) {
        try {
            Path dir = base.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempDirectory(dir, ".chart");
            try {
                String name = base.getFileName().toString();
                BitmapEncoder.saveBitmap(chart, tmp.resolve(name).toString(), BitmapEncoder.BitmapFormat.PNG);
                VectorGraphicsEncoder.saveVectorGraphic(chart, tmp.resolve(name).toString(),
                        VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
                AtomicFiles.moveAtomically(tmp.resolve(name + ".png"), dir.resolve(name + ".png"));
                AtomicFiles.moveAtomically(tmp.resolve(name + ".svg"), dir.resolve(name + ".svg"));
            } finally {
                try (var s = Files.list(tmp)) {
                    for (Path p : s.toList()) {
                        Files.deleteIfExists(p);
                    }
                }
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new SeqrecException("cannot write chart " + base + ": " + e.getMessage(), e);
        }
    }
}
