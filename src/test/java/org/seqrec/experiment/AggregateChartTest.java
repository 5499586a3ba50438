package org.seqrec.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.seqrec.util.Json;

/** The experiment plot names the protocol, drops a series parameter a model lacks, and draws the baseline. */
class AggregateChartTest {
    private static ObjectNode row(String config, String model, int kernel, String padding, String protocol, double mean, double high) {
        ObjectNode r = Json.MAPPER.createObjectNode();
        r.put("config", config);
        r.put("model", model);
        ObjectNode params = r.putObject("params");
        params.put("kernel", kernel);
        if (padding != null) {
            params.put("padding", padding);
        }
        r.put("dataset", "shop");
        r.put("protocol", protocol);
        ObjectNode st = r.putObject("MRR");
        st.put("mean", mean);
        st.put("ci95_high", high);
        return r;
    }

    @Test
    void protocolInLegendAndTitleBaselineDrawn() {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("experiment", "sweep");
        ArrayNode rows = out.putArray("rows");
        rows.add(row("convformer kernel=5 padding=zero", "convformer", 5, "zero", "full", 0.10, 0.12));
        rows.add(row("convformer kernel=45 padding=zero", "convformer", 45, "zero", "full", 0.11, 0.13));
        rows.add(row("convformer-f kernel=5", "convformer-f", 5, null, "sampled", 0.30, 0.35));
        XYChart c = Aggregate.chart(new ExperimentSpec.Plot("kernel", "padding", "MRR"), out, "convformer kernel=45 padding=zero");
        assertThat(c.getSeriesMap().keySet()).contains("convformer padding=zero (shop, full)", "convformer-f (shop, sampled)",
                "baseline convformer kernel=45 padding=zero (shop, full)");
        assertThat(c.getTitle()).isEqualTo("sweep (full, sampled protocols)");
        assertThat(c.getStyler().getYAxisMax()).isGreaterThan(0.35);
    }
}
