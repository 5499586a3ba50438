package org.seqrec.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.stat.inference.TTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.eval.Protocol;
import org.seqrec.util.Json;

/**
 * The engine's paths that only one of the two old engines had, now shared: experiment labels over two
 * protocols, markers, one-sample tests against the paper and given means, orderings per protocol,
 * and the tables of {@code seqrec report} written by an experiment; against Commons Math's TTest on
 * the literal values and hand arithmetic.
 */
class ReportTest {
    @TempDir Path dir;

    static final RunRecord.Cost NO_COST = new RunRecord.Cost(null, null, null, null, null);

    private static RunRecord run(String label, String model, Protocol protocol, long seed, double mrr) {
        Map<String, Double> test = new LinkedHashMap<>();
        protocol.reportedMetrics().forEach(m -> test.put(m, m.equals("MRR") ? mrr : 0.5));
        return new RunRecord(Path.of("runs", label + "-" + protocol.key() + "-" + seed), label, model, Map.of("kernel", 1), "Toy",
                protocol, seed, 10, 1.0, "box", test, Map.of(), NO_COST);
    }

    private static List<RunRecord> runs(String label, String model, Protocol protocol, double... mrr) {
        List<RunRecord> out = new ArrayList<>();
        for (int i = 0; i < mrr.length; i++) {
            out.add(run(label, model, protocol, i + 1, mrr[i]));
        }
        return out;
    }

    @Test
    void theMachineLineNamesEveryMachineTheRunsTrainedOnWithItsRuns() {
        List<RunRecord> same = runs("a", "conv", Protocol.SAMPLED, 0.3, 0.31);
        StringBuilder one = new StringBuilder();
        RunTables.appendMachines(one, same);
        assertThat(one.toString()).isEqualTo("\nMachine: box\n");
        RunRecord other = run("b", "conv", Protocol.SAMPLED, 1, 0.2);
        other = new RunRecord(other.dir(), "b", "conv", other.params(), "Toy", Protocol.SAMPLED, 1, 10, 1.0, "other box",
                other.test(), Map.of(), NO_COST);
        List<RunRecord> mixed = new ArrayList<>(same);
        mixed.add(other);
        StringBuilder two = new StringBuilder();
        RunTables.appendMachines(two, mixed);
        assertThat(two.toString()).isEqualTo("\nMachines (the runs trained on more than one):\n- box: a seed 1, a seed 2\n- other box: b seed 1\n");
    }

    private Path paper() {
        var ref = Json.object();
        var toy = ref.putObject("sampled").putObject("Toy");
        toy.putObject("a").put("MRR", 0.25);
        toy.putObject("b").put("MRR", 0.20).putObject("p_values").put("MRR", 0.03);
        ref.putObject("full").putObject("Toy").putObject("b").put("MRR", 0.10);
        ref.putObject("study").putObject("Toy").putObject("a").put("MRR", 0.40);
        Path file = dir.resolve("paper.json");
        Json.write(file, ref);
        return file;
    }

    @Test
    void groupsPerProtocolWithMarkersPaperTestsAndOrderings() {
        double[] target = {0.30, 0.33, 0.35};
        double[] other = {0.28, 0.29, 0.31};
        List<RunRecord> all = new ArrayList<>();
        all.addAll(runs("a k=2", "a", Protocol.SAMPLED, target));
        all.addAll(runs("b", "b", Protocol.SAMPLED, other));
        all.addAll(runs("b", "b", Protocol.FULL, 0.10, 0.12));
        ReportSpec spec = new ReportSpec("toy", null, "b", Map.of("MRR", 0.3), paper(), null, List.of("MRR"), List.of(),
                new ReportSpec.Markers("a k=2", "paired", List.of(0.05, 0.01)), null);
        Report.Result r = Report.compute(all, spec);
        assertThat(r.groups()).extracting(Report.Group::label).containsExactly("a k=2", "b", "b");
        assertThat(r.groups().get(2).protocol()).isEqualTo(Protocol.FULL);
        Report.Metric a = r.groups().get(0).metrics().get("MRR");
        // against the baseline b over seeds 1, 2, 3: differences 0.02, 0.04, 0.04
        assertThat(a.meanDifference()).isCloseTo(0.10 / 3, within(1e-12));
        assertThat(a.pairedP()).isCloseTo(new TTest().pairedTTest(target, other), within(1e-12));
        assertThat(a.oneSampleVsBaselineMean()).isCloseTo(new TTest().tTest(0.3, target), within(1e-12));
        assertThat(a.paper()).isEqualTo(0.25);
        assertThat(a.oneSampleVsPaper()).isCloseTo(new TTest().tTest(0.25, target), within(1e-12));
        // the marker: b is the only other of (Toy, sampled); p = 1 - 5 / sqrt 27 = 0.038 (differences as in MatchedSeedsTest,
        // doubled): under 0.05, not under 0.01
        assertThat(a.marker().bestOther()).isEqualTo("b");
        assertThat(a.marker().p()).isCloseTo(1 - 5 / Math.sqrt(27), within(1e-9));
        assertThat(a.marker().stars()).isEqualTo("*");
        assertThat(r.groups().get(1).metrics().get("MRR").marker()).isNull();
        // the baseline is not compared with itself, nor the full-protocol b with anything
        assertThat(r.groups().get(1).matchedSeeds()).isNull();
        assertThat(r.groups().get(2).matchedSeeds()).isNull();
        // the paper's difference of a from b (0.25 - 0.20); a reports no p-value of its own
        assertThat(r.groups().get(0).paperVsBaseline().figures().get("MRR")).isCloseTo(0.05, within(1e-12));
        assertThat(r.groups().get(0).paperVsBaseline().pValues()).isEmpty();
        // one ordering, for (Toy, sampled): the full protocol has a single model with a figure
        assertThat(r.orderings()).hasSize(1);
        assertThat(r.orderings().get(0).protocol()).isEqualTo(Protocol.SAMPLED);
        assertThat(r.orderings().get(0).ours()).containsExactly("a k=2", "b");
        assertThat(r.orderings().get(0).kendallTau()).isEqualTo(1.0);
        // ranks are within (dataset, protocol): best of two, and alone under full
        assertThat(r.rank(r.groups().get(0), "MRR")).isEqualTo(1);
        assertThat(r.rank(r.groups().get(2), "MRR")).isZero();
    }

    /** The paper orders models: a second configuration of a model (sharing its figure) takes no part in the ordering. */
    @Test
    void orderingsTakeOneConfigurationPerModel() {
        List<RunRecord> all = new ArrayList<>();
        all.addAll(runs("a", "a", Protocol.SAMPLED, 0.30));
        all.addAll(runs("a k=9", "a", Protocol.SAMPLED, 0.40));
        ReportSpec spec = new ReportSpec("toy", null, null, null, paper(), null, null, List.of(), null, null);
        assertThat(Report.compute(all, spec).orderings()).isEmpty(); // one model: nothing to order
        all.addAll(runs("b", "b", Protocol.SAMPLED, 0.35));
        List<Report.Ordering> o = Report.compute(all, spec).orderings();
        assertThat(o).hasSize(1);
        // a (0.30) against b (0.35): ours b > a, the paper's a (0.25) > b (0.20): reversed, tau -1
        assertThat(o.get(0).ours()).containsExactly("b", "a");
        assertThat(o.get(0).paper()).containsExactly("a", "b");
        assertThat(o.get(0).kendallTau()).isEqualTo(-1.0);
    }

    /** An experiment asking for the runs layout and a paper section writes the tables of seqrec report per protocol. */
    @Test
    void anExperimentWritesTheRunsTablesPerProtocol() throws Exception {
        List<RunRecord> all = new ArrayList<>();
        all.addAll(runs("a", "a", Protocol.SAMPLED, 0.30, 0.34));
        all.addAll(runs("b", "b", Protocol.SAMPLED, 0.28, 0.29));
        all.addAll(runs("a", "a", Protocol.FULL, 0.10));
        ReportSpec spec = new ReportSpec("toy", null, "b", null, paper(), "study/{dataset}", null,
                List.of(ReportSpec.Layout.COLUMNS, ReportSpec.Layout.RUNS), null, null);
        LayoutTables.write(all, spec, dir);
        assertThat(dir.resolve("results-table.md")).exists();
        String sampled = Files.readString(dir.resolve("report-sampled.md"));
        // a's mean (0.30 + 0.34) / 2 = 0.32, sd sqrt(2 * 0.02^2) = 0.0283; differences from b 0.02 and 0.05: mean 0.035
        assertThat(sampled).startsWith("Test metrics, protocol `sampled`")
                .contains("| Toy | a | 2 | 0.5000 ± 0.0000 | 0.5000 ± 0.0000 | 0.5000 ± 0.0000 | 0.5000 ± 0.0000 | 0.5000 ± 0.0000"
                        + " | 0.3200 ± 0.0283 |")
                .contains("| | Δ vs b | 2 |").contains("+0.0350")
                .contains("| Toy | a | paper | – | – | – | – | – | 0.4000 |"); // the section asked for, not sampled/Toy
        assertThat(Files.readString(dir.resolve("report-full.md"))).startsWith("Test metrics, protocol `full`")
                .doesNotContain("| Toy | b |");
        assertThat(Json.read(dir.resolve("report-sampled.json")).path("paper_section").asText()).isEqualTo("study/{dataset}");
    }
}
