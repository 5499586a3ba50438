package org.seqrec.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;
import org.apache.commons.math3.stat.inference.TTest;
import org.seqrec.report.Charts;
import org.seqrec.train.RunDir;
import org.seqrec.util.AtomicFiles;
import org.seqrec.util.Json;
import org.seqrec.util.SeqrecException;

/**
 * The statistics of an experiment over seeds, per (configuration, dataset, protocol): mean, sample
 * standard deviation, 95% confidence interval of the mean (Student's t), the paired t-test against
 * the baseline configuration over matched seeds, and the one-sample t-test of the seeds against a
 * given baseline mean (the paper's Table 3 markers). Best and second best per metric are marked
 * (bold, underlined) as in the papers. Writes {@code results.json}, {@code results.md},
 * {@code results.csv} and the spec's plot as PNG and SVG.
 */
public final class Aggregate {
    private Aggregate() {}

    /** Statistics of one sample of seeds' values. */
    public record Stats(int n, double mean, double sd, double ciLow, double ciHigh) {
        public static Stats of(double[] v) {
            SummaryStatistics s = new SummaryStatistics();
            for (double x : v) {
                s.addValue(x);
            }
            double sd = v.length > 1 ? s.getStandardDeviation() : Double.NaN;
            double half = v.length > 1 ? new TDistribution(v.length - 1).inverseCumulativeProbability(0.975) * sd / Math.sqrt(v.length)
                    : Double.NaN;
            return new Stats(v.length, s.getMean(), sd, s.getMean() - half, s.getMean() + half);
        }
    }

    /**
     * Two-sided paired t-test p of {@code a} against {@code b} (same length, matched); NaN with fewer
     * than 2 pairs or differences that are equal up to rounding (t undefined).
     */
    public static double pairedP(double[] a, double[] b) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        return undefined(d) ? Double.NaN : new TTest().pairedTTest(a, b);
    }

    /** Two-sided one-sample t-test p of {@code a} against the mean {@code mu}; NaN when t is undefined. */
    public static double oneSampleP(double[] a, double mu) {
        return undefined(a) ? Double.NaN : new TTest().tTest(mu, a);
    }

    /** Fewer than 2 values, or a spread within rounding of the values' size. */
    private static boolean undefined(double[] v) {
        if (v.length < 2) {
            return true;
        }
        SummaryStatistics s = new SummaryStatistics();
        for (double x : v) {
            s.addValue(x);
        }
        return s.getStandardDeviation() <= 1e-12 * Math.max(1, Math.abs(s.getMean()));
    }

    /** Reads the finished runs' test metrics and writes the experiment's results into {@code folder}. */
    public static ObjectNode write(ExperimentSpec spec, List<Experiment.Run> runs, Path folder) {
        Map<String, List<Experiment.Run>> groups = new LinkedHashMap<>();
        for (Experiment.Run r : runs) {
            if (r.finished()) {
                groups.computeIfAbsent(r.config() + "\u0000" + r.dataset() + "\u0000" + r.protocol().key(), k -> new ArrayList<>()).add(r);
            }
        }
        if (groups.isEmpty()) {
            throw new SeqrecException("no run of " + spec.name() + " has finished yet");
        }
        List<String> metrics = spec.report() != null && spec.report().metrics() != null ? spec.report().metrics()
                : groups.values().iterator().next().get(0).protocol().reportedMetrics();
        String baseline = spec.report() == null ? null : spec.report().baseline();
        Map<String, Double> baselineMeans = spec.report() == null || spec.report().baselineMeans() == null ? Map.of()
                : spec.report().baselineMeans();
        JsonNode paper = spec.report() == null || spec.report().paper() == null ? null : Json.read(Path.of(spec.report().paper()));
        ObjectNode out = Json.object();
        out.put("experiment", spec.name());
        if (paper != null) {
            out.put("paper", spec.report().paper());
        }
        ArrayNode rows = out.putArray("rows");
        for (List<Experiment.Run> g : groups.values()) {
            Experiment.Run first = g.get(0);
            ObjectNode row = rows.addObject();
            row.put("config", first.config());
            row.put("model", first.model());
            row.set("params", Json.MAPPER.valueToTree(first.params()));
            row.put("dataset", first.dataset());
            row.put("protocol", first.protocol().key());
            ArrayNode seeds = row.putArray("seeds");
            g.forEach(r -> seeds.add(r.seed()));
            Map<Long, JsonNode> tests = tests(g);
            List<Experiment.Run> base = baseline == null ? null
                    : groups.get(baseline + "\u0000" + first.dataset() + "\u0000" + first.protocol().key());
            Map<Long, JsonNode> baseTests = base == null || base == g ? null : tests(base);
            JsonNode paperRow = paper == null ? null : paper.path(first.protocol().key()).path(first.dataset()).path(first.model());
            for (String m : metrics) {
                double[] v = tests.values().stream().mapToDouble(t -> t.path(m).asDouble()).toArray();
                Stats s = Stats.of(v);
                ObjectNode st = row.putObject(m);
                Json.putNumber(st, "mean", s.mean());
                Json.putNumber(st, "sd", s.sd());
                Json.putNumber(st, "ci95_low", s.ciLow());
                Json.putNumber(st, "ci95_high", s.ciHigh());
                if (baseTests != null) {
                    Json.putNumber(st, "paired_p_vs_baseline", MatchedSeeds.of(tests, baseTests).pairedP(m));
                }
                if (baselineMeans.containsKey(m)) {
                    Json.putNumber(st, "one_sample_p_vs_baseline_mean", oneSampleP(v, baselineMeans.get(m)));
                }
                if (paperRow != null && paperRow.has(m)) {
                    st.put("paper", paperRow.path(m).asDouble());
                    Json.putNumber(st, "one_sample_p_vs_paper", oneSampleP(v, paperRow.path(m).asDouble()));
                }
            }
        }
        if (spec.report() != null && spec.report().markers() != null) {
            markers(spec.report().markers(), out, groups, metrics);
        }
        Json.write(folder.resolve("results.json"), out);
        AtomicFiles.writeString(folder.resolve("results.md"), markdown(spec, out, metrics));
        AtomicFiles.writeString(folder.resolve("results.csv"), csv(out, metrics));
        if (spec.report() != null && spec.report().columns()) {
            AtomicFiles.writeString(folder.resolve("results-table.md"), columns(spec, out, metrics));
        }
        if (spec.report() != null && spec.report().plot() != null) {
            plot(spec.report().plot(), out, folder.resolve("plot"), spec.report().baseline());
        }
        return out;
    }

    /**
     * The significance markers of {@link ExperimentSpec.Markers}: into the target's row of each
     * dataset and protocol, per metric, {@code best_other} (the configuration with the highest mean
     * besides the target), {@code p_vs_best_other} and {@code marker} ("", "*", "**", ...).
     */
    static void markers(ExperimentSpec.Markers mk, ObjectNode out, Map<String, List<Experiment.Run>> groups, List<String> metrics) {
        for (JsonNode node : out.path("rows")) {
            ObjectNode row = (ObjectNode) node;
            if (!row.path("config").asText().equals(mk.target())) {
                continue;
            }
            String dataset = row.path("dataset").asText();
            String protocol = row.path("protocol").asText();
            for (String m : metrics) {
                JsonNode best = null;
                for (JsonNode o : out.path("rows")) {
                    if (o != row && o.path("dataset").asText().equals(dataset) && o.path("protocol").asText().equals(protocol)
                            && (best == null || o.path(m).path("mean").asDouble() > best.path(m).path("mean").asDouble())) {
                        best = o;
                    }
                }
                if (best == null) {
                    continue;
                }
                ObjectNode st = (ObjectNode) row.path(m);
                double bestMean = best.path(m).path("mean").asDouble();
                Map<Long, JsonNode> mine = tests(groups.get(row.path("config").asText() + "\u0000" + dataset + "\u0000" + protocol));
                double p;
                if (mk.paired()) {
                    p = MatchedSeeds.of(mine, tests(groups.get(best.path("config").asText() + "\u0000" + dataset + "\u0000" + protocol))).pairedP(m);
                } else {
                    p = oneSampleP(mine.values().stream().mapToDouble(t -> t.path(m).asDouble()).toArray(), bestMean);
                }
                st.put("best_other", best.path("config").asText());
                Json.putNumber(st, "p_vs_best_other", p);
                st.put("marker", marker(st.path("mean").asDouble() > bestMean, p, mk.levelsOrDefault()));
            }
        }
    }

    /** One {@code *} per level that {@code p} is under, when the target is the better one. */
    static String marker(boolean better, double p, List<Double> levels) {
        if (!better || Double.isNaN(p)) {
            return "";
        }
        return "*".repeat((int) levels.stream().filter(l -> p < l).count());
    }

    private static Map<Long, JsonNode> tests(List<Experiment.Run> g) {
        Map<Long, JsonNode> out = new LinkedHashMap<>();
        for (Experiment.Run r : g) {
            out.put(r.seed(), Json.read(new RunDir(r.dir()).results(r.protocol())).path("test"));
        }
        return out;
    }

    static String markdown(ExperimentSpec spec, ObjectNode out, List<String> metrics) {
        StringBuilder sb = new StringBuilder("# ").append(spec.name()).append("\n\n");
        if (spec.description() != null) {
            sb.append(spec.description().strip()).append("\n\n");
        }
        sb.append("Test metrics, mean ± sd over seeds [95% CI]; **best**, <u>second best</u> per dataset and protocol");
        if (spec.report() != null && spec.report().baseline() != null) {
            sb.append("; p: paired t-test against `").append(spec.report().baseline()).append("` over matched seeds");
        }
        sb.append(".\n\n| dataset | protocol | configuration | seeds |");
        metrics.forEach(m -> sb.append(' ').append(m).append(" |"));
        sb.append("\n|---|---|---|---:|").append("---:|".repeat(metrics.size())).append('\n');
        for (JsonNode row : out.path("rows")) {
            sb.append("| ").append(row.path("dataset").asText()).append(" | ").append(row.path("protocol").asText()).append(" | ")
                    .append(row.path("config").asText()).append(" | ").append(row.path("seeds").size()).append(" |");
            for (String m : metrics) {
                JsonNode st = row.path(m);
                String mean = String.format("%.4f", st.path("mean").asDouble());
                int rank = rank(out, row, m);
                mean = rank == 1 ? "**" + mean + "**" : rank == 2 ? "<u>" + mean + "</u>" : mean;
                sb.append(' ').append(mean);
                if (!st.path("sd").isNull()) {
                    sb.append(String.format(" ± %.4f [%.4f, %.4f]", st.path("sd").asDouble(), st.path("ci95_low").asDouble(),
                            st.path("ci95_high").asDouble()));
                }
                if (st.has("paired_p_vs_baseline") && !st.path("paired_p_vs_baseline").isNull()) {
                    sb.append(String.format(" (p %.3f)", st.path("paired_p_vs_baseline").asDouble()));
                }
                if (st.has("p_vs_best_other") && !st.path("p_vs_best_other").isNull()) {
                    sb.append(String.format(" %s(p %.3f vs %s)", st.path("marker").asText().replace("*", "\\*"),
                            st.path("p_vs_best_other").asDouble(), st.path("best_other").asText()));
                }
                if (st.has("paper")) {
                    sb.append(String.format("; paper %.4f", st.path("paper").asDouble()));
                    if (!st.path("one_sample_p_vs_paper").isNull()) {
                        sb.append(String.format(" (p %.3f)", st.path("one_sample_p_vs_paper").asDouble()));
                    }
                }
                sb.append(" |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * The papers' layout: a row per (dataset, protocol, metric), a column per configuration; each cell
     * the mean over seeds, best bold and second best underlined within the row; with a paper file, a
     * {@code paper} row under each with the paper's figure for that column's model.
     */
    static String columns(ExperimentSpec spec, ObjectNode out, List<String> metrics) {
        List<String> configs = new ArrayList<>();
        Map<String, Map<String, JsonNode>> byData = new LinkedHashMap<>(); // dataset|protocol -> config -> row
        for (JsonNode row : out.path("rows")) {
            if (!configs.contains(row.path("config").asText())) {
                configs.add(row.path("config").asText());
            }
            byData.computeIfAbsent(row.path("dataset").asText() + " | " + row.path("protocol").asText(), k -> new LinkedHashMap<>())
                    .put(row.path("config").asText(), row);
        }
        StringBuilder sb = new StringBuilder("# ").append(spec.name()).append(": test metrics, mean over seeds (n in each cell);"
                + " **best**, <u>second best</u> per row");
        ExperimentSpec.Markers mk = spec.report() == null ? null : spec.report().markers();
        if (mk != null) {
            List<Double> lv = mk.levelsOrDefault();
            sb.append("; on `").append(mk.target()).append("`, ");
            for (int i = 0; i < lv.size(); i++) {
                sb.append(i > 0 ? ", " : "").append("\\*".repeat(i + 1)).append(": p < ").append(lv.get(i));
            }
            sb.append(" in the ").append(mk.paired() ? "paired t-test over matched seeds" : "one-sample t-test")
                    .append(" against the best other configuration, where it is better");
        }
        sb.append("\n\n| dataset | protocol | metric |");
        for (String c : configs) {
            sb.append(' ').append(c).append(" |");
        }
        sb.append("\n|---|---|---|").append("---:|".repeat(configs.size())).append('\n');
        for (Map.Entry<String, Map<String, JsonNode>> d : byData.entrySet()) {
            for (String m : metrics) {
                sb.append("| ").append(d.getKey()).append(" | ").append(m).append(" |");
                StringBuilder paperRow = new StringBuilder("| | | paper |");
                boolean anyPaper = false;
                for (String c : configs) {
                    JsonNode row = d.getValue().get(c);
                    if (row == null) {
                        sb.append(" – |");
                        paperRow.append(" – |");
                        continue;
                    }
                    String mean = String.format("%.4f", row.path(m).path("mean").asDouble());
                    int rank = rank(out, row, m);
                    sb.append(' ').append(rank == 1 ? "**" + mean + "**" : rank == 2 ? "<u>" + mean + "</u>" : mean)
                            .append(row.path(m).path("marker").asText("").replace("*", "\\*"))
                            .append(" (n ").append(row.path("seeds").size()).append(") |");
                    if (row.path(m).has("paper")) {
                        anyPaper = true;
                        paperRow.append(String.format(" %.4f |", row.path(m).path("paper").asDouble()));
                    } else {
                        paperRow.append(" – |");
                    }
                }
                sb.append('\n');
                if (anyPaper) {
                    sb.append(paperRow).append('\n');
                }
            }
        }
        return sb.toString();
    }

    /** 1 for the best mean of metric {@code m} among rows of the same dataset and protocol, 2 for the second, else 0. */
    private static int rank(ObjectNode out, JsonNode row, String m) {
        double v = row.path(m).path("mean").asDouble();
        int better = 0;
        int peers = 0;
        for (JsonNode o : out.path("rows")) {
            if (o.path("dataset").equals(row.path("dataset")) && o.path("protocol").equals(row.path("protocol"))) {
                peers++;
                if (o.path(m).path("mean").asDouble() > v) {
                    better++;
                }
            }
        }
        return peers < 2 ? 0 : better == 0 ? 1 : better == 1 && peers > 2 ? 2 : 0;
    }

    static String csv(ObjectNode out, List<String> metrics) {
        StringWriter w = new StringWriter();
        List<String> header = new ArrayList<>(List.of("dataset", "protocol", "config", "seeds"));
        for (String m : metrics) {
            header.addAll(List.of(m + "_mean", m + "_sd", m + "_ci95_low", m + "_ci95_high"));
        }
        try (CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader(header.toArray(String[]::new)).build())) {
            for (JsonNode row : out.path("rows")) {
                List<Object> rec = new ArrayList<>(List.of(row.path("dataset").asText(), row.path("protocol").asText(),
                        row.path("config").asText(), row.path("seeds").size()));
                for (String m : metrics) {
                    for (String k : new String[] {"mean", "sd", "ci95_low", "ci95_high"}) {
                        rec.add(row.path(m).path(k).isNull() ? "" : row.path(m).path(k).asDouble());
                    }
                }
                p.printRecord(rec);
            }
        } catch (IOException e) {
            throw new SeqrecException("cannot write CSV: " + e.getMessage(), e);
        }
        return w.toString();
    }

    /**
     * Mean of {@code plot.metric} against the grid parameter {@code plot.x}, one line per {@code plot.series}
     * value (and model), with the 95% confidence interval as error bars where there are several seeds.
     */
    static void plot(ExperimentSpec.Plot plot, ObjectNode out, Path base, String baseline) {
        org.knowm.xchart.XYChart chart = chart(plot, out, baseline);
        if (chart != null) {
            Charts.save(chart, base);
        }
    }

    /**
     * The plot's chart (null when no row has a numeric x): one line per model, series value, dataset and
     * protocol, named with all four; the {@code baseline} configuration's mean (if given) dashed across.
     */
    static org.knowm.xchart.XYChart chart(ExperimentSpec.Plot plot, ObjectNode out, String baseline) {
        Map<String, List<double[]>> lines = new LinkedHashMap<>();
        java.util.Set<String> protocols = new java.util.TreeSet<>();
        List<Charts.Baseline> baselines = new ArrayList<>();
        for (JsonNode row : out.path("rows")) {
            String where = row.path("dataset").asText() + ", " + row.path("protocol").asText();
            if (baseline != null && baseline.equals(row.path("config").asText()) && row.path(plot.metric()).path("mean").isNumber()) {
                baselines.add(new Charts.Baseline("baseline " + baseline + " (" + where + ")", row.path(plot.metric()).path("mean").asDouble()));
            }
            JsonNode x = row.path("params").path(plot.x());
            if (!x.isNumber()) {
                continue;
            }
            protocols.add(row.path("protocol").asText());
            JsonNode sv = row.path("params").path(plot.series() == null ? "" : plot.series());
            String series = row.path("model").asText() + (plot.series() == null || sv.isMissingNode() ? "" : " " + plot.series() + "="
                    + sv.asText()) + " (" + where + ")";
            JsonNode st = row.path(plot.metric());
            double half = st.path("ci95_high").isNumber() ? st.path("ci95_high").asDouble() - st.path("mean").asDouble() : Double.NaN;
            lines.computeIfAbsent(series, k -> new ArrayList<>()).add(new double[] {x.asDouble(), st.path("mean").asDouble(), half});
        }
        List<Charts.Series> series = new ArrayList<>();
        lines.forEach((name, pts) -> {
            pts.sort((a, b) -> Double.compare(a[0], b[0]));
            boolean bars = pts.stream().allMatch(p -> !Double.isNaN(p[2]));
            series.add(new Charts.Series(name, pts.stream().map(p -> p[0]).toList(), pts.stream().map(p -> p[1]).toList(),
                    bars ? pts.stream().map(p -> p[2]).toList() : null));
        });
        if (series.isEmpty()) {
            return null;
        }
        String title = out.path("experiment").asText() + " (" + String.join(", ", protocols) + " protocol" + (protocols.size() > 1 ? "s" : "") + ")";
        return Charts.line(title, plot.x(), plot.metric() + " (test, mean over seeds, 95% CI)", series, baselines);
    }
}
