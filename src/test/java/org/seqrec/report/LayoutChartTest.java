package org.seqrec.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.seqrec.eval.Protocol;

/** The experiment plot names the protocol, drops a series parameter a model lacks, and draws the baseline. */
class LayoutChartTest {
    private static RunRecord run(String label, String model, int kernel, String padding, Protocol protocol, long seed, double mrr) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("kernel", kernel);
        if (padding != null) {
            params.put("padding", padding);
        }
        Map<String, Double> test = new LinkedHashMap<>();
        protocol.reportedMetrics().forEach(m -> test.put(m, m.equals("MRR") ? mrr : 0.5));
        return new RunRecord(Path.of("runs", label + seed), label, model, params, "shop", protocol, seed, 10, 1.0, "box", test, Map.of(),
                ReportTest.NO_COST);
    }

    @Test
    void protocolInLegendAndTitleBaselineDrawn() {
        List<RunRecord> runs = List.of(
                run("convformer kernel=5 padding=zero", "convformer", 5, "zero", Protocol.FULL, 1, 0.10),
                run("convformer kernel=5 padding=zero", "convformer", 5, "zero", Protocol.FULL, 2, 0.12),
                run("convformer kernel=45 padding=zero", "convformer", 45, "zero", Protocol.FULL, 1, 0.11),
                run("convformer kernel=45 padding=zero", "convformer", 45, "zero", Protocol.FULL, 2, 0.13),
                run("convformer-f kernel=5", "convformer-f", 5, null, Protocol.SAMPLED, 1, 0.30),
                run("convformer-f kernel=5", "convformer-f", 5, null, Protocol.SAMPLED, 2, 0.40));
        ReportSpec spec = new ReportSpec("sweep", null, "convformer kernel=45 padding=zero", null, null, null, List.of("MRR"), List.of(),
                null, new ReportSpec.Plot("kernel", "padding", "MRR"));
        XYChart c = LayoutTables.chart(spec.plot(), Report.compute(runs, spec));
        assertThat(c.getSeriesMap().keySet()).contains("convformer padding=zero (shop, full)", "convformer-f (shop, sampled)",
                "baseline convformer kernel=45 padding=zero (shop, full)");
        assertThat(c.getTitle()).isEqualTo("sweep (full, sampled protocols)");
        // convformer-f's 95% CI: mean 0.35, sd 0.0707, t(0.975, 1) = 12.706: up to 0.35 + 12.706 * 0.0707 / sqrt(2) = 0.985
        assertThat(c.getStyler().getYAxisMax()).isGreaterThan(0.985);
    }
}
