package org.seqrec.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.seqrec.util.Json;

/**
 * A computed {@link Report.Result} as JSON: {@link #runs} in the shape {@code seqrec report --out}
 * writes, {@link #rows} in the shape of an experiment's {@code results.json}.
 */
public final class ReportJson {
    private ReportJson() {}

    /** Every run, then per group the seeds, mean and sd, the paper's figures and the differences from the baseline; the orderings. */
    public static ObjectNode runs(Report.Result result) {
        ReportSpec spec = result.spec();
        ObjectNode out = Json.object();
        out.put("protocol", result.runs().get(0).protocol().key());
        if (spec.paper() != null) {
            out.put("paper", shown(spec.paper()));
        }
        ArrayNode rows = out.putArray("runs");
        for (RunRecord r : result.runs()) {
            ObjectNode row = rows.addObject();
            row.put("run", shown(r.dir()));
            row.put("dataset", r.dataset());
            row.put("model", r.label());
            row.put("seed", r.seed());
            row.put("users", r.users());
            row.put("eval_seconds_test", r.evalSecondsTest());
            row.put("machine", r.machine());
            row.set("test", numbers(r.test()));
            row.set("valid", numbers(r.valid()));
            row.set("training", training(r.training()));
            Report.Paper paper = result.groupOf(r).paper();
            if (paper != null) {
                row.set("paper_test", paper(paper));
            }
        }
        if (spec.paper() != null) {
            out.put("paper_section", spec.paperSectionOrDefault());
        }
        ArrayNode summary = out.putArray("summary");
        for (Report.Group g : result.groups()) {
            ObjectNode row = summary.addObject();
            row.put("dataset", g.dataset());
            row.put("model", g.label());
            ArrayNode seeds = row.putArray("seeds");
            g.seeds().forEach(seeds::add);
            ObjectNode mean = row.putObject("mean");
            ObjectNode std = row.putObject("std");
            g.metrics().forEach((m, st) -> {
                mean.put(m, st.stats().mean());
                Json.putNumber(std, m, st.stats().sd()); // NaN (null) with one seed
            });
            if (g.paper() != null) {
                row.set("paper_test", paper(g.paper()));
            }
            if (g.matchedSeeds() != null) {
                ObjectNode vs = row.putObject("vs_baseline");
                ArrayNode matched = vs.putArray("seeds");
                g.matchedSeeds().forEach(matched::add);
                ObjectNode diff = vs.putObject("mean_difference");
                ObjectNode p = vs.putObject("paired_t_p");
                g.metrics().forEach((m, st) -> {
                    Json.putNumber(diff, m, st.meanDifference());
                    Json.putNumber(p, m, st.pairedP()); // NaN (null) when undefined
                });
                if (g.paperVsBaseline() != null) {
                    ObjectNode pv = row.putObject("paper_vs_baseline");
                    pv.set("difference", numbers(g.paperVsBaseline().figures()));
                    pv.set("p", numbers(g.paperVsBaseline().pValues()));
                }
            }
        }
        ArrayNode orderings = out.putArray("orderings");
        for (Report.Ordering o : result.orderings()) {
            ObjectNode row = orderings.addObject();
            row.put("dataset", o.dataset());
            row.put("metric", o.metric());
            row.set("ours", Json.MAPPER.valueToTree(o.ours()));
            row.set("paper", Json.MAPPER.valueToTree(o.paper()));
            Json.putNumber(row, "kendall_tau", o.kendallTau());
        }
        if (spec.baseline() != null) {
            out.put("baseline", spec.baseline());
        }
        return out;
    }

    /** Per group its configuration and seeds, and per metric the statistics, tests, paper figure and marker. */
    public static ObjectNode rows(Report.Result result) {
        ReportSpec spec = result.spec();
        ObjectNode out = Json.object();
        out.put("experiment", spec.name());
        if (spec.paper() != null) {
            out.put("paper", shown(spec.paper()));
        }
        ArrayNode rows = out.putArray("rows");
        for (Report.Group g : result.groups()) {
            ObjectNode row = rows.addObject();
            row.put("config", g.label());
            row.put("model", g.model());
            row.set("params", Json.MAPPER.valueToTree(g.params()));
            row.put("dataset", g.dataset());
            row.put("protocol", g.protocol().key());
            ArrayNode seeds = row.putArray("seeds");
            g.seeds().forEach(seeds::add);
            g.metrics().forEach((m, metric) -> {
                ObjectNode st = row.putObject(m);
                Stats s = metric.stats();
                Json.putNumber(st, "mean", s.mean());
                Json.putNumber(st, "sd", s.sd());
                Json.putNumber(st, "ci95_low", s.ciLow());
                Json.putNumber(st, "ci95_high", s.ciHigh());
                if (metric.pairedP() != null) {
                    Json.putNumber(st, "paired_p_vs_baseline", metric.pairedP());
                }
                if (metric.oneSampleVsBaselineMean() != null) {
                    Json.putNumber(st, "one_sample_p_vs_baseline_mean", metric.oneSampleVsBaselineMean());
                }
                if (metric.paper() != null) {
                    st.put("paper", metric.paper());
                    Json.putNumber(st, "one_sample_p_vs_paper", metric.oneSampleVsPaper());
                }
                if (metric.marker() != null) {
                    st.put("best_other", metric.marker().bestOther());
                    Json.putNumber(st, "p_vs_best_other", metric.marker().p());
                    st.put("marker", metric.marker().stars());
                }
            });
        }
        return out;
    }

    private static ObjectNode training(RunRecord.Cost c) {
        ObjectNode t = Json.object();
        if (c.epochs() != null) {
            t.put("epochs", c.epochs());
            t.put("best_epoch", c.bestEpoch());
        }
        if (c.medianTrainSecondsPerEpoch() != null) {
            t.put("median_train_seconds_per_epoch", c.medianTrainSecondsPerEpoch());
        }
        if (c.peakRssMb() != null) {
            t.put("peak_rss_mb", c.peakRssMb());
        }
        if (c.model() != null) {
            t.setAll((ObjectNode) Json.MAPPER.valueToTree(c.model()));
        }
        return t;
    }

    private static ObjectNode paper(Report.Paper paper) {
        ObjectNode out = numbers(paper.figures());
        if (!paper.pValues().isEmpty()) {
            out.set("p_values", numbers(paper.pValues()));
        }
        return out;
    }

    private static ObjectNode numbers(Map<String, Double> values) {
        ObjectNode out = Json.object();
        values.forEach((k, v) -> Json.putNumber(out, k, v));
        return out;
    }

    /** A path as a versioned report shows it: relative to the working directory where it lies under it (no machine's folders), else as given. */
    static String shown(java.nio.file.Path p) {
        java.nio.file.Path cwd = java.nio.file.Path.of("").toAbsolutePath();
        java.nio.file.Path abs = p.toAbsolutePath().normalize();
        return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : p.toString();
    }
}
