package org.seqrec.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.text.DecimalFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/** The chart's data model: axis bounds, tick format, baselines (issue 17, finding 9). */
class ChartsTest {
    @Test
    void yAxisHoldsEveryWhiskerAndTicksAreRounded() {
        List<Double> y = List.of(0.609540050665329, 0.62, 0.58);
        List<Double> err = List.of(0.05, 0.01, 0.2);
        XYChart c = Charts.line("t", "kernel", "MRR", List.of(new Charts.Series("a", List.of(5, 25, 45), y, err)));
        // whisker ends computed here: 0.5595.. / 0.6595.., 0.61 / 0.63, 0.38 / 0.78
        double lowest = 0.58 - 0.2;
        double highest = 0.58 + 0.2;
        assertThat(c.getStyler().getYAxisMin()).isLessThan(lowest);
        assertThat(c.getStyler().getYAxisMax()).isGreaterThan(highest);
        String tick = new DecimalFormat(c.getStyler().getYAxisDecimalPattern()).format(0.609540050665329);
        assertThat(tick).matches("0\\.\\d{1,3}");
        assertThat(new DecimalFormat(c.getStyler().getXAxisDecimalPattern()).format(25.0)).isEqualTo("25");
    }

    @Test
    void aFlatSeriesStillGetsARangeAndLossScaleTicks() {
        XYChart flat = Charts.line("t", "x", "y", List.of(new Charts.Series("a", List.of(1, 2), List.of(0.5, 0.5))));
        assertThat(flat.getStyler().getYAxisMin()).isLessThan(0.5);
        assertThat(flat.getStyler().getYAxisMax()).isGreaterThan(0.5);
        XYChart loss = Charts.line("t", "epoch", "loss", List.of(new Charts.Series("a", List.of(1, 2, 3), List.of(9.81234, 7.4321, 5.1))));
        assertThat(new DecimalFormat(loss.getStyler().getYAxisDecimalPattern()).format(7.4321)).isEqualTo("7.4");
    }

    @Test
    void baselinesAreDashedLinesInsideTheFrame() {
        XYChart c = Charts.line("t", "kernel", "MRR", List.of(new Charts.Series("a", List.of(5, 45), List.of(0.30, 0.32))),
                List.of(new Charts.Baseline("paper", 0.40)));
        XYSeries b = c.getSeriesMap().get("paper");
        assertThat(b).isNotNull();
        assertThat(b.getXData()).containsExactly(5.0, 45.0);
        assertThat(b.getYData()).containsExactly(0.40, 0.40);
        assertThat(c.getStyler().getYAxisMax()).isGreaterThan(0.40);
    }
}
