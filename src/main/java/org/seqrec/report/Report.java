package org.seqrec.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.stat.correlation.KendallsCorrelation;
import org.seqrec.eval.Protocol;
import org.seqrec.util.Json;
import org.seqrec.util.SeqrecException;

/**
 * The one computation behind every table over runs and seeds ({@code seqrec report}, {@code seqrec
 * experiment}): runs grouped by (label, dataset, protocol), per metric the mean, sd and 95% CI over
 * seeds, the comparison with the baseline over matched seeds (mean difference, paired t-test), one-sample
 * t-tests against given means and the paper's figures, the paper's own difference from its baseline,
 * the significance markers, and the models' order against the paper's (Kendall's tau). Rendered by
 * {@link RunTables} and {@link LayoutTables}, written as JSON by {@link ReportJson}.
 */
public final class Report {
    private Report() {}

    /** The metrics whose model orderings a report compares with the paper's. */
    static final List<String> ORDERING_METRICS = List.of("HR@10", "MRR");

    /**
     * One model's entry in a paper's reference file: its figures and the p-values the paper reports
     * for its difference from the baseline ({@code p_values}, e.g. Table B2's paired t-tests); the
     * same shape serves the paper's difference (model - baseline) with those p-values.
     */
    public record Paper(Map<String, Double> figures, Map<String, Double> pValues) {}

    /** The papers' significance marker of one cell: the best other configuration, the test's p, one {@code *} per level. */
    public record Marker(String bestOther, double p, String stars) {}

    /**
     * One metric of one group.
     *
     * @param meanDifference mean (group - baseline) over matched seeds; null without a baseline comparison, NaN with no matched seed
     * @param pairedP        two-sided paired t-test against the baseline; null without a comparison, NaN when undefined
     * @param oneSampleVsBaselineMean one-sample t-test against the spec's baseline mean; null where none is given
     * @param paper          the paper's figure, or null
     * @param oneSampleVsPaper one-sample t-test of the seeds against the paper's figure; null without one
     * @param marker         the significance marker (target groups only), or null
     */
    public record Metric(Stats stats, Double meanDifference, Double pairedP, Double oneSampleVsBaselineMean, Double paper,
            Double oneSampleVsPaper, Marker marker) {
        Metric withMarker(Marker m) {
            return new Metric(stats, meanDifference, pairedP, oneSampleVsBaselineMean, paper, oneSampleVsPaper, m);
        }
    }

    /**
     * The runs of one label on one dataset under one protocol.
     *
     * @param matchedSeeds    the seeds shared with the baseline group; null when not compared (no baseline, or this is it)
     * @param paper           the paper's entry for the group's model, or null
     * @param paperVsBaseline the paper's difference from its baseline figure with its p-values, or null
     */
    public record Group(String label, String model, Map<String, Object> params, String dataset, Protocol protocol,
            List<RunRecord> runs, Map<String, Metric> metrics, List<Long> matchedSeeds, Paper paper, Paper paperVsBaseline) {
        boolean peerOf(Group o) {
            return dataset.equals(o.dataset) && protocol == o.protocol;
        }

        List<Long> seeds() {
            return runs.stream().map(RunRecord::seed).toList();
        }

        Map<Long, Map<String, Double>> testsBySeed() {
            return Report.testsBySeed(runs);
        }

        double[] values(String metric) {
            return Report.values(runs, metric);
        }
    }

    /** Groups of one dataset and protocol ordered by our mean and by the paper's figure for a metric, and Kendall's tau between the orders. */
    public record Ordering(String dataset, Protocol protocol, String metric, List<String> ours, List<String> paper, double kendallTau) {}

    /** A computed report: the spec, the metrics shown, the runs in input order, the groups in order of first appearance. */
    public record Result(ReportSpec spec, List<String> metrics, List<RunRecord> runs, List<Group> groups, List<Ordering> orderings) {
        /** The group a run belongs to. */
        public Group groupOf(RunRecord run) {
            return groups.stream().filter(g -> g.runs().contains(run)).findFirst().orElseThrow();
        }

        /** 1 for the best mean of {@code metric} among the groups of the same dataset and protocol, 2 for the second, else 0. */
        public int rank(Group g, String metric) {
            double v = g.metrics().get(metric).stats().mean();
            int better = 0;
            int peers = 0;
            for (Group o : groups) {
                if (o.peerOf(g)) {
                    peers++;
                    if (o.metrics().get(metric).stats().mean() > v) {
                        better++;
                    }
                }
            }
            return peers < 2 ? 0 : better == 0 ? 1 : better == 1 && peers > 2 ? 2 : 0;
        }
    }

    /** Computes the report of {@code runs} (finished, at least one) as {@code spec} asks. */
    public static Result compute(List<RunRecord> runs, ReportSpec spec) {
        if (runs.isEmpty()) {
            throw new SeqrecException(spec.name() == null ? "no run to report" : "no run of " + spec.name() + " has finished yet");
        }
        Map<String, List<RunRecord>> byKey = new LinkedHashMap<>();
        runs.forEach(r -> byKey.computeIfAbsent(key(r.label(), r.dataset(), r.protocol()), k -> new ArrayList<>()).add(r));
        List<String> metrics = spec.metrics() != null ? spec.metrics() : runs.get(0).protocol().reportedMetrics();
        JsonNode reference = spec.paper() == null ? null : Json.read(spec.paper());
        Map<String, Double> baselineMeans = spec.baselineMeans() == null ? Map.of() : spec.baselineMeans();
        List<Group> groups = new ArrayList<>();
        for (List<RunRecord> g : byKey.values()) {
            RunRecord first = g.get(0);
            List<RunRecord> base = spec.baseline() == null ? null : byKey.get(key(spec.baseline(), first.dataset(), first.protocol()));
            boolean compared = base != null && base != g;
            MatchedSeeds pairs = compared ? MatchedSeeds.of(testsBySeed(g), testsBySeed(base)) : null;
            Paper paper = reference == null ? null : paper(reference, spec.paperSectionOrDefault(), first, first.label(), first.model());
            Paper paperBase = compared && reference != null
                    ? paper(reference, spec.paperSectionOrDefault(), first, base.get(0).label(), base.get(0).model()) : null;
            Map<String, Metric> stats = new LinkedHashMap<>();
            for (String m : metrics) {
                double[] v = values(g, m);
                Double figure = paper == null ? null : paper.figures().get(m);
                stats.put(m, new Metric(Stats.of(v), compared ? pairs.meanDifference(m) : null, compared ? pairs.pairedP(m) : null,
                        baselineMeans.containsKey(m) ? Stats.oneSampleP(v, baselineMeans.get(m)) : null, figure,
                        figure == null ? null : Stats.oneSampleP(v, figure), null));
            }
            groups.add(new Group(first.label(), first.model(), first.params(), first.dataset(), first.protocol(), List.copyOf(g), stats,
                    compared ? pairs.seeds() : null, paper,
                    paper != null && paperBase != null ? paperDifference(paper, paperBase, metrics) : null));
        }
        if (spec.markers() != null) {
            groups.replaceAll(g -> g.label().equals(spec.markers().target()) ? marked(g, groups, spec.markers(), metrics) : g);
        }
        return new Result(spec, metrics, List.copyOf(runs), List.copyOf(groups), orderings(groups));
    }

    private static String key(String label, String dataset, Protocol protocol) {
        return label + "\u0000" + dataset + "\u0000" + protocol.key();
    }

    private static double[] values(List<RunRecord> runs, String metric) {
        return runs.stream().mapToDouble(r -> r.test().getOrDefault(metric, 0.0)).toArray();
    }

    private static Map<Long, Map<String, Double>> testsBySeed(List<RunRecord> runs) {
        Map<Long, Map<String, Double>> out = new LinkedHashMap<>();
        runs.forEach(r -> out.put(r.seed(), r.test()));
        return out;
    }

    /**
     * The entry of configuration {@code label} (else of {@code model}) at {@code section} ({@code /}-separated keys, {@code {protocol}} and
     * {@code {dataset}} filled in from the run), or null when the reference file has none.
     */
    static Paper paper(JsonNode reference, String section, RunRecord run, String label, String model) {
        JsonNode node = reference;
        for (String key : section.replace("{protocol}", run.protocol().key()).replace("{dataset}", run.dataset()).split("/")) {
            node = node.path(key);
        }
        // the configuration's own entry first (e.g. "ctr extractor=sasrec", one model with a grid of variants), else the model's
        node = node.has(label) ? node.path(label) : node.path(model);
        if (!node.isObject()) {
            return null;
        }
        Map<String, Double> figures = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> {
            if (e.getValue().isNumber()) {
                figures.put(e.getKey(), e.getValue().asDouble());
            }
        });
        Map<String, Double> pValues = new LinkedHashMap<>();
        node.path("p_values").fields().forEachRemaining(e -> pValues.put(e.getKey(), e.getValue().asDouble()));
        return new Paper(figures, pValues);
    }

    /** The paper's own difference (model - baseline) per metric, and the p-value the paper reports for it where it has one. */
    private static Paper paperDifference(Paper model, Paper base, List<String> metrics) {
        Map<String, Double> diff = new LinkedHashMap<>();
        Map<String, Double> p = new LinkedHashMap<>();
        for (String m : metrics) {
            if (model.figures().containsKey(m) && base.figures().containsKey(m)) {
                diff.put(m, model.figures().get(m) - base.figures().get(m));
            }
            if (model.pValues().containsKey(m)) {
                p.put(m, model.pValues().get(m));
            }
        }
        return new Paper(diff, p);
    }

    /**
     * The target group with its markers: per metric, the group of the same dataset and protocol with
     * the highest mean besides it, the test against it, and the stars where the target is better.
     */
    private static Group marked(Group target, List<Group> groups, ReportSpec.Markers mk, List<String> metrics) {
        Map<String, Metric> stats = new LinkedHashMap<>(target.metrics());
        for (String m : metrics) {
            Group best = null;
            for (Group o : groups) {
                if (o != target && o.peerOf(target)
                        && (best == null || o.metrics().get(m).stats().mean() > best.metrics().get(m).stats().mean())) {
                    best = o;
                }
            }
            if (best == null) {
                continue;
            }
            double bestMean = best.metrics().get(m).stats().mean();
            double p = mk.paired() ? MatchedSeeds.of(target.testsBySeed(), best.testsBySeed()).pairedP(m)
                    : Stats.oneSampleP(target.values(m), bestMean);
            stats.put(m, stats.get(m).withMarker(new Marker(best.label(), p,
                    marker(stats.get(m).stats().mean() > bestMean, p, mk.levelsOrDefault()))));
        }
        return new Group(target.label(), target.model(), target.params(), target.dataset(), target.protocol(), target.runs(), stats,
                target.matchedSeeds(), target.paper(), target.paperVsBaseline());
    }

    /** One {@code *} per level that {@code p} is under, when the target is the better one. */
    public static String marker(boolean better, double p, List<Double> levels) {
        if (!better || Double.isNaN(p)) {
            return "";
        }
        return "*".repeat((int) levels.stream().filter(l -> p < l).count());
    }

    /**
     * Per dataset and protocol with at least two models that have the paper's figure: the groups
     * ordered by our mean and by the paper's figure for each of {@link #ORDERING_METRICS}, and
     * Kendall's tau between the two orders (1: the same order; -1: reversed). The paper orders
     * models, so the first group of each model stands for it (an experiment's other configurations
     * of that model share its figure and are left out).
     */
    private static List<Ordering> orderings(List<Group> groups) {
        Map<String, List<Group>> byData = new LinkedHashMap<>();
        for (Group g : groups) {
            List<Group> peers = byData.computeIfAbsent(g.dataset() + "\u0000" + g.protocol().key(), k -> new ArrayList<>());
            if (g.paper() != null && peers.stream().noneMatch(o -> o.model().equals(g.model()))) {
                peers.add(g);
            }
        }
        List<Ordering> out = new ArrayList<>();
        for (List<Group> peers : byData.values()) {
            for (String metric : ORDERING_METRICS) {
                List<Group> rows = peers.stream().filter(g -> g.paper().figures().containsKey(metric)).toList();
                if (rows.size() < 2) {
                    continue;
                }
                double[] ours = rows.stream().mapToDouble(g -> Stats.of(g.values(metric)).mean()).toArray();
                double[] theirs = rows.stream().mapToDouble(g -> g.paper().figures().get(metric)).toArray();
                out.add(new Ordering(rows.get(0).dataset(), rows.get(0).protocol(), metric, order(rows, ours), order(rows, theirs),
                        new KendallsCorrelation().correlation(ours, theirs)));
            }
        }
        return out;
    }

    /** Labels by decreasing value (ties in input order). */
    private static List<String> order(List<Group> rows, double[] value) {
        Integer[] idx = new Integer[rows.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(value[b], value[a]));
        return Arrays.stream(idx).map(i -> rows.get(i).label()).toList();
    }
}
