package org.seqrec.report;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.seqrec.eval.Protocol;
import org.seqrec.util.AtomicFiles;
import org.seqrec.util.Json;
import org.seqrec.util.SeqrecException;

/**
 * An experiment's tables over seeds: {@code results.md} (a row per configuration, dataset and
 * protocol: mean ± sd [95% CI], p-values, the paper's figure; best bold, second best underlined),
 * {@code results.csv}, {@code results.json}, and as the spec's layouts ask {@code results-table.md}
 * (the papers' layout: a column per configuration) and {@code report-PROTOCOL.md} (the tables of
 * {@code seqrec report}); the spec's plot as PNG and SVG.
 */
public final class LayoutTables {
    private LayoutTables() {}

    /** Computes the report of {@code runs} and writes its files into {@code folder}; returns the computed report. */
    public static Report.Result write(List<RunRecord> runs, ReportSpec spec, Path folder) {
        Report.Result result = Report.compute(runs, spec);
        Json.write(folder.resolve("results.json"), ReportJson.rows(result));
        AtomicFiles.writeString(folder.resolve("results.md"), rows(result));
        AtomicFiles.writeString(folder.resolve("results.csv"), csv(result));
        if (spec.layouts().contains(ReportSpec.Layout.COLUMNS)) {
            AtomicFiles.writeString(folder.resolve("results-table.md"), columns(result));
        }
        if (spec.layouts().contains(ReportSpec.Layout.RUNS)) {
            for (Protocol p : runs.stream().map(RunRecord::protocol).distinct().toList()) {
                Report.Result one = Report.compute(runs.stream().filter(r -> r.protocol() == p).toList(), spec);
                AtomicFiles.writeString(folder.resolve("report-" + p.key() + ".md"), RunTables.markdown(one));
                Json.write(folder.resolve("report-" + p.key() + ".json"), ReportJson.runs(one));
            }
        }
        if (spec.plot() != null) {
            plot(spec.plot(), result, folder.resolve("plot"));
        }
        return result;
    }

    static String rows(Report.Result result) {
        ReportSpec spec = result.spec();
        List<String> metrics = result.metrics();
        StringBuilder sb = new StringBuilder("# ").append(spec.name()).append("\n\n");
        if (spec.description() != null) {
            sb.append(spec.description().strip()).append("\n\n");
        }
        sb.append("Test metrics, mean ± sd over seeds [95% CI]; **best**, <u>second best</u> per dataset and protocol");
        if (spec.baseline() != null) {
            sb.append("; p: paired t-test against `").append(spec.baseline()).append("` over matched seeds");
        }
        sb.append(".\n\n| dataset | protocol | configuration | seeds |");
        metrics.forEach(m -> sb.append(' ').append(m).append(" |"));
        sb.append("\n|---|---|---|---:|").append("---:|".repeat(metrics.size())).append('\n');
        for (Report.Group g : result.groups()) {
            sb.append("| ").append(g.dataset()).append(" | ").append(g.protocol().key()).append(" | ").append(g.label()).append(" | ")
                    .append(g.runs().size()).append(" |");
            for (String m : metrics) {
                Report.Metric st = g.metrics().get(m);
                sb.append(' ').append(ranked(result, g, m));
                if (!Double.isNaN(st.stats().sd())) {
                    sb.append(String.format(" ± %.4f [%.4f, %.4f]", st.stats().sd(), st.stats().ciLow(), st.stats().ciHigh()));
                }
                if (st.pairedP() != null && !Double.isNaN(st.pairedP())) {
                    sb.append(String.format(" (p %.3f)", st.pairedP()));
                }
                if (st.marker() != null && !Double.isNaN(st.marker().p())) {
                    sb.append(String.format(" %s(p %.3f vs %s)", st.marker().stars().replace("*", "\\*"), st.marker().p(),
                            st.marker().bestOther()));
                }
                if (st.paper() != null) {
                    sb.append(String.format("; paper %.4f", st.paper()));
                    if (!Double.isNaN(st.oneSampleVsPaper())) {
                        sb.append(String.format(" (p %.3f)", st.oneSampleVsPaper()));
                    }
                }
                sb.append(" |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** The mean, bold when it is the best of its dataset and protocol, underlined when second. */
    private static String ranked(Report.Result result, Report.Group g, String metric) {
        String mean = String.format("%.4f", g.metrics().get(metric).stats().mean());
        int rank = result.rank(g, metric);
        return rank == 1 ? "**" + mean + "**" : rank == 2 ? "<u>" + mean + "</u>" : mean;
    }

    /**
     * The papers' layout: a row per (dataset, protocol, metric), a column per configuration; each cell
     * the mean over seeds, best bold and second best underlined within the row; with a paper file, a
     * {@code paper} row under each with the paper's figure for that column's model.
     */
    static String columns(Report.Result result) {
        ReportSpec spec = result.spec();
        List<String> configs = new ArrayList<>();
        Map<String, Map<String, Report.Group>> byData = new LinkedHashMap<>(); // dataset | protocol -> config -> group
        for (Report.Group g : result.groups()) {
            if (!configs.contains(g.label())) {
                configs.add(g.label());
            }
            byData.computeIfAbsent(g.dataset() + " | " + g.protocol().key(), k -> new LinkedHashMap<>()).put(g.label(), g);
        }
        StringBuilder sb = new StringBuilder("# ").append(spec.name()).append(": test metrics, mean over seeds (n in each cell);"
                + " **best**, <u>second best</u> per row");
        ReportSpec.Markers mk = spec.markers();
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
        for (Map.Entry<String, Map<String, Report.Group>> d : byData.entrySet()) {
            for (String m : result.metrics()) {
                sb.append("| ").append(d.getKey()).append(" | ").append(m).append(" |");
                StringBuilder paperRow = new StringBuilder("| | | paper |");
                boolean anyPaper = false;
                for (String c : configs) {
                    Report.Group g = d.getValue().get(c);
                    if (g == null) {
                        sb.append(" – |");
                        paperRow.append(" – |");
                        continue;
                    }
                    Report.Metric st = g.metrics().get(m);
                    sb.append(' ').append(ranked(result, g, m))
                            .append(st.marker() == null ? "" : st.marker().stars().replace("*", "\\*"))
                            .append(" (n ").append(g.runs().size()).append(") |");
                    if (st.paper() != null) {
                        anyPaper = true;
                        paperRow.append(String.format(" %.4f |", st.paper()));
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

    static String csv(Report.Result result) {
        StringWriter w = new StringWriter();
        List<String> header = new ArrayList<>(List.of("dataset", "protocol", "config", "seeds"));
        for (String m : result.metrics()) {
            header.addAll(List.of(m + "_mean", m + "_sd", m + "_ci95_low", m + "_ci95_high"));
        }
        try (CSVPrinter p = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader(header.toArray(String[]::new)).build())) {
            for (Report.Group g : result.groups()) {
                List<Object> rec = new ArrayList<>(List.of(g.dataset(), g.protocol().key(), g.label(), g.runs().size()));
                for (String m : result.metrics()) {
                    Stats s = g.metrics().get(m).stats();
                    for (double v : new double[] {s.mean(), s.sd(), s.ciLow(), s.ciHigh()}) {
                        rec.add(Double.isNaN(v) ? "" : v);
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
    static void plot(ReportSpec.Plot plot, Report.Result result, Path base) {
        org.knowm.xchart.XYChart chart = chart(plot, result);
        if (chart != null) {
            Charts.save(chart, base);
        }
    }

    /**
     * The plot's chart (null when no group has a numeric x): one line per model, series value, dataset and
     * protocol, named with all four; the baseline configuration's mean (if the spec has one) dashed across.
     */
    static org.knowm.xchart.XYChart chart(ReportSpec.Plot plot, Report.Result result) {
        Map<String, List<double[]>> lines = new LinkedHashMap<>();
        java.util.Set<String> protocols = new java.util.TreeSet<>();
        List<Charts.Baseline> baselines = new ArrayList<>();
        String baseline = result.spec().baseline();
        for (Report.Group g : result.groups()) {
            String where = g.dataset() + ", " + g.protocol().key();
            if (baseline != null && baseline.equals(g.label()) && g.metrics().containsKey(plot.metric())) {
                baselines.add(new Charts.Baseline("baseline " + baseline + " (" + where + ")", g.metrics().get(plot.metric()).stats().mean()));
            }
            if (!(g.params().get(plot.x()) instanceof Number x) || !g.metrics().containsKey(plot.metric())) {
                continue;
            }
            protocols.add(g.protocol().key());
            Object sv = plot.series() == null ? null : g.params().get(plot.series());
            String series = g.model() + (sv == null ? "" : " " + plot.series() + "=" + sv) + " (" + where + ")";
            Stats st = g.metrics().get(plot.metric()).stats();
            lines.computeIfAbsent(series, k -> new ArrayList<>()).add(new double[] {x.doubleValue(), st.mean(), st.ciHigh() - st.mean()});
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
        String title = result.spec().name() + " (" + String.join(", ", protocols) + " protocol" + (protocols.size() > 1 ? "s" : "") + ")";
        return Charts.line(title, plot.x(), plot.metric() + " (test, mean over seeds, 95% CI)", series, baselines);
    }
}
