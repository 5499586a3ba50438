package org.seqrec.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
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

    public static XYChart line(String title, String xLabel, String yLabel, List<Series> series) {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setMarkerSize(6);
        for (Series s : series) {
            if (s.errors() == null) {
                chart.addSeries(s.name(), s.x(), s.y());
            } else {
                chart.addSeries(s.name(), s.x(), s.y(), s.errors());
            }
        }
        return chart;
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
