package org.seqrec.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.eval.Protocol;
import org.seqrec.train.ModelCost;
import org.seqrec.util.Json;

/** Seed aggregation and the paired comparison of {@code seqrec report} (its JSON and Markdown), against hand computations. */
class ReportRunsTest {
    @TempDir Path dir;

    private static Report.Result compute(List<Path> runs, Protocol protocol, Path paper, String baseline, String section) {
        return Report.compute(runs.stream().map(r -> RunRecord.read(r, protocol)).toList(), ReportSpec.runs(paper, section, baseline));
    }

    private static ObjectNode build(List<Path> runs, Protocol protocol, Path paper, String baseline, String section) {
        return ReportJson.runs(compute(runs, protocol, paper, baseline, section));
    }

    private static ObjectNode build(List<Path> runs, Protocol protocol, Path paper, String baseline) {
        return build(runs, protocol, paper, baseline, null);
    }

    private static String markdown(List<Path> runs, Protocol protocol, Path paper, String baseline, String section) {
        return RunTables.markdown(compute(runs, protocol, paper, baseline, section));
    }

    private Path run(String model, long seed, double mrr) throws Exception {
        Path r = dir.resolve(model + "-" + seed);
        Files.createDirectories(r);
        ObjectNode res = Json.object();
        res.put("model", model);
        res.put("seed", seed);
        res.putObject("dataset").put("name", "Toy").put("evaluated_users", 10);
        ObjectNode test = res.putObject("test");
        for (String m : Protocol.SAMPLED.reportedMetrics()) {
            test.put(m, m.equals("MRR") ? mrr : 0.5);
        }
        res.putObject("valid");
        Json.write(r.resolve("results-sampled.json"), res);
        return r;
    }

    /** A run trained in another regime (--param regime) is its own model row, not a seed of the model's own. */
    @Test
    void aRunInAnotherRegimeIsItsOwnRow() throws Exception {
        Path own = run("convformer", 1, 0.30);
        Path ce = run("convformer-ce", 1, 0.40);
        ObjectNode config = Json.object();
        config.put("model", "convformer");
        config.putObject("params").put("regime", "prefix-CE");
        Json.write(ce.resolve("config.json"), config);
        ObjectNode res = (ObjectNode) Json.read(ce.resolve("results-sampled.json"));
        res.put("model", "convformer");
        Json.write(ce.resolve("results-sampled.json"), res);
        ObjectNode report = build(List.of(own, ce), Protocol.SAMPLED, null, null);
        assertThat(report.path("summary")).hasSize(2);
        assertThat(report.path("summary").get(1).path("model").asText()).isEqualTo("convformer (prefix-CE)");
        assertThat(report.path("summary").get(1).path("mean").path("MRR").asDouble()).isCloseTo(0.40, within(1e-12));
    }

    @Test
    void meanStdAndPairedTTestOverMatchedSeeds() throws Exception {
        List<Path> runs = new ArrayList<>();
        double[] a = {0.30, 0.32, 0.34};
        double[] b = {0.29, 0.30, 0.31};
        for (int i = 0; i < 3; i++) {
            runs.add(run("model-a", i + 1, a[i]));
            runs.add(run("base", i + 1, b[i]));
        }
        runs.add(run("base", 9, 0.99)); // no partner: left out of the paired test, kept in the mean
        ObjectNode report = build(runs, Protocol.SAMPLED, null, "base");
        JsonNode modelA = report.path("summary").get(0);
        assertThat(modelA.path("model").asText()).isEqualTo("model-a");
        assertThat(modelA.path("mean").path("MRR").asDouble()).isCloseTo(0.32, within(1e-12));
        assertThat(modelA.path("std").path("MRR").asDouble()).isCloseTo(0.02, within(1e-12)); // sample sd
        JsonNode vs = modelA.path("vs_baseline");
        assertThat(vs.path("seeds")).hasSize(3);
        assertThat(vs.path("mean_difference").path("MRR").asDouble()).isCloseTo(0.02, within(1e-12));
        // differences 0.01, 0.02, 0.03: t = 0.02 / (0.01 / sqrt 3) = sqrt 12, df 2; for df 2 the
        // two-sided p is 1 - t / sqrt(t^2 + 2) = 1 - sqrt(12 / 14)
        assertThat(vs.path("paired_t_p").path("MRR").asDouble()).isCloseTo(1 - Math.sqrt(12.0 / 14.0), within(1e-9));
        assertThat(vs.path("paired_t_p").path("HR@10").isNull()).isTrue(); // identical values: undefined
        JsonNode base = report.path("summary").get(1);
        assertThat(base.path("seeds")).hasSize(4);
        assertThat(base.has("vs_baseline")).isFalse();
        String md = markdown(runs, Protocol.SAMPLED, null, "base", null);
        assertThat(md).contains("| Toy | model-a | 3 |").contains("0.3200 ± 0.0200").contains("Δ vs base").contains("+0.0200 (p 0.074)");
    }

    /** A model that shares no seed with the baseline has no difference to show: "–", not +0.0000. */
    @Test
    void noMatchedSeedShowsNoDifference() throws Exception {
        List<Path> runs = List.of(run("model-a", 5, 0.30), run("base", 6, 0.20));
        ObjectNode report = build(runs, Protocol.SAMPLED, null, "base");
        assertThat(report.path("summary").get(0).path("vs_baseline").path("seeds")).isEmpty();
        assertThat(markdown(runs, Protocol.SAMPLED, null, "base", null)).contains("| | Δ vs base | 0 | – | – | – | – | – | – |");
    }

    /** The paper's figures come from the section asked for (the SAR study's), once per model in each table. */
    @Test
    void paperFiguresComeFromTheSectionAskedFor() throws Exception {
        List<Path> runs = List.of(run("sar", 1, 0.30), run("sar", 2, 0.32), run("sar-o", 1, 0.31));
        ObjectNode paper = Json.object();
        paper.putObject("sampled").putObject("Toy").putObject("sar").put("MRR", 0.111);
        ObjectNode study = paper.putObject("sar_study").putObject("Toy").putObject("layers=2");
        study.putObject("sar").put("MRR", 0.2804);
        study.putObject("sar-o").put("MRR", 0.2795).putObject("p_values").put("MRR", 0.84);
        Path file = dir.resolve("paper.json");
        Json.write(file, paper);
        ObjectNode plain = build(runs, Protocol.SAMPLED, file, "sar");
        assertThat(plain.path("runs").get(0).path("paper_test").path("MRR").asDouble()).isEqualTo(0.111);
        ObjectNode report = build(runs, Protocol.SAMPLED, file, "sar", "sar_study/{dataset}/layers=2");
        assertThat(report.path("runs").get(1).path("paper_test").path("MRR").asDouble()).isEqualTo(0.2804);
        assertThat(report.path("summary").get(1).path("paper_test").path("p_values").path("MRR").asDouble()).isEqualTo(0.84);
        String md = markdown(runs, Protocol.SAMPLED, file, "sar", "sar_study/{dataset}/layers=2");
        assertThat(md.split("0\\.2804", -1)).hasSize(3); // once after the first seed, once under the mean
        // a paper file under the working directory is named relative to it (no machine's folders in a versioned report)
        Path inRepo = Path.of("bench/paper/convformer.json").toAbsolutePath();
        assertThat(markdown(runs, Protocol.SAMPLED, inRepo, "sar", null)).startsWith("Test metrics, protocol `sampled`; `paper` rows: bench/paper/convformer.json\n");
        assertThat(md).contains("| | paper | | – | – | – | – | – | 0.2795 |");
        // the paper's own difference from the baseline, with the p-value it reports; none for the baseline itself
        JsonNode paperVs = report.path("summary").get(1).path("paper_vs_baseline");
        assertThat(paperVs.path("difference").path("MRR").asDouble()).isCloseTo(0.2795 - 0.2804, within(1e-12));
        assertThat(paperVs.path("difference").has("HR@10")).isFalse();
        assertThat(report.path("summary").get(0).has("paper_vs_baseline")).isFalse();
        assertThat(md).contains("| | paper Δ vs sar | | – | – | – | – | – | -0.0009 (p 0.840) |");
        // ours: sar 0.31 = sar-o 0.31 (tie kept in input order); paper: sar 0.2804 > sar-o 0.2795
        JsonNode mrr = report.path("orderings").get(0);
        assertThat(mrr.path("metric").asText()).isEqualTo("MRR");
        assertThat(mrr.path("paper").toString()).isEqualTo("[\"sar\",\"sar-o\"]");
        assertThat(md).contains("| Toy | MRR | sar > sar-o | sar > sar-o |");
    }

    /** Kendall's tau between our order and the paper's: 1 for the same order, -1 reversed, in between otherwise. */
    @Test
    void orderingsAgainstThePaper() throws Exception {
        double[] ours = {0.30, 0.32, 0.34, 0.20};
        double[] paper = {0.28, 0.27, 0.29, 0.25};
        String[] models = {"sar", "sar-o", "sar-p", "sar-w"};
        List<Path> runs = new ArrayList<>();
        ObjectNode ref = Json.object();
        ObjectNode toy = ref.putObject("sampled").putObject("Toy");
        for (int i = 0; i < 4; i++) {
            runs.add(run(models[i], 1, ours[i]));
            toy.putObject(models[i]).put("MRR", paper[i]);
        }
        Path file = dir.resolve("ref.json");
        Json.write(file, ref);
        JsonNode o = build(runs, Protocol.SAMPLED, file, null).path("orderings");
        assertThat(o).hasSize(1); // HR@10 has no paper figure here
        assertThat(o.get(0).path("ours").toString()).isEqualTo("[\"sar-p\",\"sar-o\",\"sar\",\"sar-w\"]");
        assertThat(o.get(0).path("paper").toString()).isEqualTo("[\"sar-p\",\"sar\",\"sar-o\",\"sar-w\"]");
        // 6 pairs, one discordant (sar, sar-o): tau = (5 - 1) / 6
        assertThat(o.get(0).path("kendall_tau").asDouble()).isCloseTo(4.0 / 6, within(1e-12));
    }

    /** A results file that lacks what a report needs is named in a clear error. */
    @Test
    void aResultsFileWithoutItsFieldsIsRejectedByName() throws Exception {
        Path r = dir.resolve("broken");
        Files.createDirectories(r);
        Json.write(r.resolve("results-sampled.json"), Json.object());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> build(List.of(r), Protocol.SAMPLED, null, null))
                .isInstanceOf(org.seqrec.util.SeqrecException.class)
                .hasMessageContaining("results-sampled.json").hasMessageContaining("no model");
    }

    @Test
    void trainingCostComesFromTheHistoryAndCostFiles() throws Exception {
        Path r = run("adamct", 1, 0.3);
        Files.writeString(r.resolve("history.jsonl"), String.join("\n",
                "{\"epoch\":1,\"loss\":1.0,\"train_seconds\":10.0,\"batches\":5,\"epoch_batches\":5,\"best_epoch\":1,\"peak_rss_mb\":900}",
                "{\"epoch\":2,\"loss\":1.0,\"train_seconds\":2.0,\"batches\":1,\"epoch_batches\":5,\"best_epoch\":1,\"peak_rss_mb\":950}",
                "{\"epoch\":3,\"loss\":1.0,\"train_seconds\":14.0,\"batches\":5,\"epoch_batches\":5,\"best_epoch\":3,\"peak_rss_mb\":940}",
                "{\"epoch\":4,\"loss\":1.0,\"train_seconds\":12.0,\"batches\":5,\"epoch_batches\":5,\"best_epoch\":3,\"peak_rss_mb\":930}") + "\n");
        Json.write(r.resolve("cost.json"), new ModelCost(210_000, 450_000, 190_000, 50));
        JsonNode t = build(List.of(r), Protocol.SAMPLED, null, null).path("runs").get(0).path("training");
        assertThat(t.path("epochs").asInt()).isEqualTo(4);
        assertThat(t.path("best_epoch").asInt()).isEqualTo(3);
        assertThat(t.path("median_train_seconds_per_epoch").asDouble()).isEqualTo(12.0); // the partial epoch left out
        assertThat(t.path("peak_rss_mb").asLong()).isEqualTo(950);
        assertThat(t.path("encoderMacs").asLong()).isEqualTo(450_000);
        assertThat(markdown(List.of(r), Protocol.SAMPLED, null, null, null))
                .contains("| Toy | adamct | 1 | 0.21M | 0.45M | 4 (3) | 12.0 | 950 |");
    }

    @Test
    void aRunIsLabelledWithItsRegimeWhereItsHistoryTrainedInAnotherThanItsModelsOwnToday() throws Exception {
        assertThat(regimeOf("nextitnet", "all-positions", null)).isEqualTo("all-positions"); // its default before the softmax
        assertThat(regimeOf("nextitnet", "all-positions-CE", "all-positions-CE")).isEmpty(); // named, but its own
        assertThat(regimeOf("convformer", "prefix-CE", "prefix-CE")).isEqualTo("prefix-CE");
        assertThat(regimeOf("convformer", "prefix", null)).isEmpty();
        assertThat(regimeOf("convformer", null, "prefix-CE")).isEqualTo("prefix-CE"); // a history that records no regime
        assertThat(regimeOf("no-such-model", "prefix", null)).isEmpty();
        assertThat(regimeOf("no-such-model", "prefix", "prefix")).isEqualTo("prefix");
    }

    private String regimeOf(String model, String trained, String param) throws Exception {
        Path r = Files.createTempDirectory(dir, model);
        ObjectNode line = Json.object();
        line.put("epoch", 1);
        line.put("loss", 1.0);
        if (trained != null) {
            line.put("regime", trained);
        }
        Files.writeString(r.resolve("history.jsonl"), Json.compact(line) + "\n");
        java.util.Map<String, Object> params = param == null ? java.util.Map.of() : java.util.Map.of("regime", param);
        return RunRecord.regimeNotItsOwn(new org.seqrec.run.RunDir(r), model, params);
    }
}
