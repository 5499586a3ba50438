package org.seqrec.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.data.Dataset;
import org.seqrec.report.Report;
import org.seqrec.report.ReportSpec;
import org.seqrec.report.Stats;
import org.seqrec.testutil.Fixtures;
import org.seqrec.testutil.Synthetic;
import org.seqrec.util.Json;

/** Experiment statistics against hand computations; a tiny spec end to end; resume; every ready-made spec plans. */
class ExperimentTest {
    @TempDir Path dir;

    @Test
    void confidenceIntervalAndTTestsMatchHandComputations() {
        Stats s = Stats.of(new double[] {0.30, 0.32, 0.34});
        assertThat(s.mean()).isCloseTo(0.32, within(1e-12));
        assertThat(s.sd()).isCloseTo(0.02, within(1e-12));
        // t(0.975, df 2): for 2 degrees of freedom F(t) = 1/2 + t / (2 sqrt(2 + t^2)), so t^2 = 2 * 0.95^2 / (1 - 0.95^2)
        double half = Math.sqrt(2 * 0.9025 / 0.0975) * 0.02 / Math.sqrt(3);
        assertThat(s.ciLow()).isCloseTo(0.32 - half, within(1e-9));
        assertThat(s.ciHigh()).isCloseTo(0.32 + half, within(1e-9));
        // paired differences 0.01, 0.02, 0.03: t = sqrt 12, df 2, p = 1 - t / sqrt(t^2 + 2)
        assertThat(Stats.pairedP(new double[] {0.30, 0.32, 0.34}, new double[] {0.29, 0.30, 0.31}))
                .isCloseTo(1 - Math.sqrt(12.0 / 14.0), within(1e-9));
        // against the mean 0.30: t = 0.02 / (0.02 / sqrt 3) = sqrt 3, df 2
        assertThat(Stats.oneSampleP(new double[] {0.30, 0.32, 0.34}, 0.30)).isCloseTo(1 - Math.sqrt(3.0 / 5.0), within(1e-9));
        assertThat(Stats.pairedP(new double[] {0.3, 0.4}, new double[] {0.2, 0.3})).isNaN(); // constant difference
        assertThat(Stats.of(new double[] {0.5}).sd()).isNaN();
    }

    /** Table 3's markers: one star per level p is under, only where the target is the better one. */
    @Test
    void significanceMarkers() {
        List<Double> table3 = List.of(0.05, 0.001);
        assertThat(Report.marker(true, 0.0005, table3)).isEqualTo("**");
        assertThat(Report.marker(true, 0.01, table3)).isEqualTo("*");
        assertThat(Report.marker(true, 0.2, table3)).isEmpty();
        assertThat(Report.marker(false, 0.0001, table3)).isEmpty();
        assertThat(Report.marker(true, Double.NaN, table3)).isEmpty();
        assertThat(Report.marker(true, 0.005, List.of(0.01))).isEqualTo("*"); // Table 7
    }

    @Test
    void aTinySpecRunsEndToEndAndAResumeSkipsFinishedRuns() throws Exception {
        Dataset d = Synthetic.repeatedCycles(30, 25, 4, 6, 10, 4);
        Path data = dir.resolve("cycles.txt");
        d.writeFmlp(data);
        Path spec = Fixtures.write(dir, "tiny.yaml", String.join("\n",
                "name: tiny",
                "description: two kernels, two seeds",
                "data: [" + data + "]",
                "protocols: [full]",
                "seeds: [1, 2]",
                "out: " + dir.resolve("out"),
                "models:",
                "  - model: convformer",
                "    params: {epochs: 1, hidden: 16, max_len: 8, batch: 64}",
                "    grid: {kernel: [2, 3]}",
                "report:",
                "  baseline: convformer kernel=3",
                "  paper: " + Path.of("bench/paper/convformer.json").toAbsolutePath(),
                "  plot: {x: kernel, metric: NDCG@10}",
                "  layout: columns",
                "  markers: {target: convformer kernel=2, test: paired}",
                ""));
        Fixtures.CliResult dry = Fixtures.cli("experiment", spec.toString(), "--dry-run");
        assertThat(dry.exitCode()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("4 runs (0 finished)").contains("todo    convformer kernel=2 | cycles | full | seed 1");
        Fixtures.CliResult run = Fixtures.cli("experiment", spec.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        Path out = dir.resolve("results").resolve("tiny"); // the tables, beside each run's kept files (default: results/NAME beside the spec)
        Path runsDir = dir.resolve("out").resolve("runs");
        assertThat(out.resolve("results.md")).exists();
        assertThat(out.resolve("results.csv")).exists();
        assertThat(out.resolve("plot.png")).exists();
        assertThat(out.resolve("plot.svg")).exists();
        JsonNode results = Json.read(out.resolve("results.json"));
        assertThat(results.path("rows")).hasSize(2);
        assertThat(results.path("rows").get(0).path("seeds")).hasSize(2);
        assertThat(results.path("rows").get(0).path("NDCG@10").has("paired_p_vs_baseline")).isTrue();
        JsonNode target = results.path("rows").get(0).path("NDCG@10"); // kernel=2 against the only other, kernel=3
        assertThat(target.path("best_other").asText()).isEqualTo("convformer kernel=3");
        assertThat(target.has("p_vs_best_other")).isTrue();
        assertThat(target.path("marker").asText()).matches("\\**");
        assertThat(results.path("rows").get(1).path("NDCG@10").has("marker")).isFalse();
        assertThat(Files.readString(out.resolve("results.md"))).contains("| cycles | full | convformer kernel=2 | 2 |");
        String table = Files.readString(out.resolve("results-table.md"));
        assertThat(table).contains("on `convformer kernel=2`, \\*: p < 0.05, \\*\\*: p < 0.001 in the paired t-test")
                .contains("| dataset | protocol | metric | convformer kernel=2 | convformer kernel=3 |")
                .contains("| cycles | full | NDCG@10 |");
        assertThat(table.split("\n")).filteredOn(l -> l.startsWith("| cycles | full | ")).hasSize(
                org.seqrec.eval.Protocol.FULL.reportedMetrics().size());
        // a second run trains nothing: every run directory is left as it was
        Path history = runsDir.resolve("convformer-kernel2-cycles-full-seed1").resolve("history.jsonl");
        FileTime before = Files.getLastModifiedTime(history);
        Thread.sleep(20);
        assertThat(Fixtures.cli("experiment", spec.toString()).exitCode()).isZero();
        assertThat(Files.getLastModifiedTime(history)).isEqualTo(before);
        assertThat(Fixtures.cli("experiment", spec.toString(), "--dry-run").out()).contains("4 runs (4 finished)");
        // training curves of two of its runs
        Fixtures.CliResult plot = Fixtures.cli("plot", "--runs", history.getParent() + "," + runsDir
                .resolve("convformer-kernel3-cycles-full-seed2"), "--metric", "NDCG@10", "--out", dir.resolve("curves").toString());
        assertThat(plot.exitCode()).as(plot.err()).isZero();
        assertThat(dir.resolve("curves-loss.png")).exists();
        assertThat(dir.resolve("curves-valid.svg")).exists();
        // each finished run's small files are kept with the tables, not its weights or negatives
        Path kept = out.resolve("runs").resolve("convformer-kernel2-cycles-full-seed1");
        try (Stream<Path> files = Files.list(kept)) {
            assertThat(files.map(f -> f.getFileName().toString()).sorted().toList())
                    .containsExactly("config.json", "cost.json", "dataset.json", "history.jsonl", "results-full.json");
        }
        assertThat(Files.readString(kept.resolve("history.jsonl"))).isEqualTo(Files.readString(history));
        assertThat(Files.readString(out.resolve("runs.md"))).contains("4 of 4 runs finished")
                .contains("| convformer kernel=2 | cycles | full | 1 | done | 1 (1) |");
        // the run directories gone (another session, another machine): the kept runs are finished for good and report the same
        String before2 = Files.readString(out.resolve("results.json"));
        Fixtures.deleteRecursively(dir.resolve("out"));
        assertThat(Fixtures.cli("experiment", spec.toString(), "--dry-run").out()).contains("4 runs (4 finished)")
                .contains("kept    convformer kernel=3 | cycles | full | seed 2");
        Fixtures.CliResult again = Fixtures.cli("experiment", spec.toString());
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(runsDir).doesNotExist(); // nothing retrained
        assertThat(Files.readString(out.resolve("results.json"))).isEqualTo(before2.replace(dir.resolve("out").resolve("runs").toString(),
                out.resolve("runs").toString()));
        assertThat(Files.readString(out.resolve("runs.md"))).contains("| convformer kernel=2 | cycles | full | 1 | kept | 1 (1) |");
    }

    /** The YAML report: section maps into the report engine's spec: one layout or a list, a paper section, unknown layouts refused. */
    @Test
    void theReportSectionMapsIntoTheReportSpec() throws Exception {
        String head = "name: t\ndata: [x/Beauty.txt]\nmodels: [{model: sar}]\nreport:\n";
        ExperimentSpec one = ExperimentSpec.read(Fixtures.write(dir, "one.yaml", head + "  layout: columns\n"));
        assertThat(one.reportSpec().layouts()).containsExactly(ReportSpec.Layout.COLUMNS);
        assertThat(one.reportSpec().paperSectionOrDefault()).isEqualTo("{protocol}/{dataset}");
        ReportSpec both = ExperimentSpec.read(Fixtures.write(dir, "both.yaml", head + "  layout: [columns, runs]\n"
                + "  paper: p.json\n  paperSection: sar_study/{dataset}/layers=2\n  baseline: sar\n")).reportSpec();
        assertThat(both.layouts()).containsExactly(ReportSpec.Layout.COLUMNS, ReportSpec.Layout.RUNS);
        assertThat(both.paper()).isEqualTo(dir.resolve("p.json").toAbsolutePath().normalize()); // relative to the spec file
        assertThat(both.paperSectionOrDefault()).isEqualTo("sar_study/{dataset}/layers=2");
        assertThat(both.name()).isEqualTo("t");
        assertThat(ExperimentSpec.read(Fixtures.write(dir, "none.yaml", "name: t\ndata: [x/Beauty.txt]\nmodels: [{model: sar}]\n"))
                .reportSpec().layouts()).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ExperimentSpec.read(Fixtures.write(dir, "bad.yaml", head
                + "  layout: rows\n"))).hasMessageContaining("'layout' is columns, runs or a list of both");
    }

    /** A model's preset per dataset lies under its params (as train --preset); one configuration label across datasets. */
    @Test
    void presetsPerDatasetLieUnderTheParams() throws Exception {
        ExperimentSpec spec = ExperimentSpec.read(Fixtures.write(dir, "presets.yaml", String.join("\n",
                "name: presets",
                "data: [x/Beauty.txt, x/Toys_and_Games.txt, x/Other.txt]",
                "models:",
                "  - model: convformer",
                "    params: {hidden: 32}",
                "    presets: {Beauty: beauty, Toys_and_Games: toys}",
                "  - model: convformer",
                "    presets: {Beauty: beauty}",
                "    grid: {kernel: [7]}",
                "")));
        List<Experiment.Run> runs = Experiment.plan(spec, dir);
        assertThat(runs).extracting(Experiment.Run::config).containsExactly("convformer", "convformer", "convformer", "convformer kernel=7",
                "convformer kernel=7", "convformer kernel=7");
        assertThat(runs.get(0).params()).containsEntry("kernel", 45).containsEntry("hidden", 32); // Table C3: K 45 on Beauty
        assertThat(runs.get(1).params()).containsEntry("kernel", 30).containsEntry("hidden", 32); // 30 elsewhere
        assertThat(runs.get(2).params()).doesNotContainKey("kernel").containsEntry("hidden", 32); // no preset named
        assertThat(runs.get(3).params()).containsEntry("kernel", 7); // an explicit param wins over the preset
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Experiment.plan(ExperimentSpec.read(Fixtures.write(dir, "bad.yaml",
                "name: b\ndata: [x/Beauty.txt]\nmodels: [{model: convformer, presets: {Beauty: nowhere}}]\n")), dir))
                .hasMessageContaining("has no preset 'nowhere'");
        // two entries of one model differing only in params would train into one run directory: refused
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Experiment.plan(ExperimentSpec.read(Fixtures.write(dir, "twice.yaml",
                "name: t\ndata: [x/Beauty.txt]\nmodels: [{model: convformer, params: {select: NDCG@10}},"
                        + " {model: convformer, params: {select: NDCG@50}}]\n")), dir))
                .hasMessageContaining("would share the run convformer-Beauty-sampled-seed42").hasMessageContaining("grid:");
    }

    /** As in seqrec report, a configuration trained in another regime than its model's own has no paper figure. */
    @Test
    void aConfigurationInAnotherRegimeHasNoPaperFigure() throws Exception {
        JsonNode rows = convformerRows("{\"convformer\": {\"MRR\": 0.3}}", "{regime: [prefix-CE]}");
        assertThat(rows.get(0).path("MRR").path("paper").asDouble()).isEqualTo(0.3);
        assertThat(rows.get(1).path("config").asText()).isEqualTo("convformer regime=prefix-CE");
        assertThat(rows.get(1).path("MRR").has("paper")).isFalse();
    }

    /** A paper entry keyed by a configuration's label (the CTR model's extractors of Table B1) wins over its model's entry. */
    @Test
    void aConfigurationWithItsOwnPaperEntryGetsThatFigure() throws Exception {
        JsonNode rows = convformerRows("{\"convformer\": {\"MRR\": 0.3}, \"convformer kernel=5\": {\"MRR\": 0.2}}", "{kernel: [5, 7]}");
        assertThat(rows.get(0).path("MRR").path("paper").asDouble()).isEqualTo(0.3);
        assertThat(rows.get(1).path("config").asText()).isEqualTo("convformer kernel=5");
        assertThat(rows.get(1).path("MRR").path("paper").asDouble()).isEqualTo(0.2);
        assertThat(rows.get(2).path("MRR").path("paper").asDouble()).as("no entry of its own: the model's").isEqualTo(0.3);
    }

    /**
     * The results rows of a study of convformer and convformer with {@code grid} on Toy, every run finished with test MRR
     * 0.25, reported against a paper whose sampled/Toy section is {@code paperModels}.
     */
    private JsonNode convformerRows(String paperModels, String grid) throws Exception {
        Path paper = dir.resolve("paper.json");
        Files.writeString(paper, "{\"sampled\": {\"Toy\": " + paperModels + "}}");
        ExperimentSpec spec = ExperimentSpec.read(Fixtures.write(dir, "study.yaml", String.join("\n",
                "name: study",
                "data: [x/Toy.txt]",
                "models:",
                "  - model: convformer",
                "  - model: convformer",
                "    grid: " + grid,
                "report: {paper: " + paper + "}",
                "")));
        List<Experiment.Run> runs = Experiment.plan(spec, dir.resolve("out"));
        for (Experiment.Run r : runs) {
            Files.createDirectories(r.dir());
            Files.writeString(r.dir().resolve("config.json"), Json.MAPPER.writeValueAsString(java.util.Map.of("model", "convformer",
                    "params", r.params())));
            Files.writeString(r.dir().resolve("results-sampled.json"), "{\"model\": \"convformer\", \"seed\": 42, \"dataset\":"
                    + " {\"name\": \"Toy\"}, \"test\": {\"MRR\": 0.25}}");
        }
        Experiment.report(spec, runs, dir.resolve("out"));
        return Json.read(dir.resolve("out").resolve("results.json")).path("rows");
    }

    @Test
    void everyReadyMadeSpecPlans() throws Exception {
        List<Path> specs;
        try (Stream<Path> s = Files.list(Path.of("experiments"))) {
            specs = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(specs).isNotEmpty();
        for (Path spec : specs) {
            Fixtures.CliResult r = Fixtures.cli("experiment", spec.toString(), "--dry-run");
            assertThat(r.exitCode()).as(spec + ": " + r.err()).isZero();
            assertThat(r.out()).as(spec.toString()).contains(" runs (");
        }
    }
}
