package org.seqrec.report;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Markdown of {@code seqrec report}: every run's test metrics with the paper's figure after a
 * model's first seed; per model the mean ± sd over seeds with the differences from the baseline (ours
 * and the paper's); the models' order against the paper's; each run's training cost; the machine.
 */
public final class RunTables {
    private RunTables() {}

    public static String markdown(Report.Result result) {
        List<String> metrics = result.metrics();
        ReportSpec spec = result.spec();
        StringBuilder sb = new StringBuilder();
        sb.append("Test metrics, protocol `").append(result.runs().get(0).protocol().key()).append("`");
        if (spec.paper() != null) {
            sb.append("; `paper` rows: ").append(ReportJson.shown(spec.paper()));
        }
        sb.append("\n\n| dataset | model | source |");
        metrics.forEach(m -> sb.append(' ').append(m).append(" |"));
        sb.append(" test eval (s) |\n|---|---|---|");
        metrics.forEach(m -> sb.append("---:|"));
        sb.append("---:|");
        sb.append('\n');
        Set<Report.Group> shown = new HashSet<>();
        for (RunRecord r : result.runs()) {
            appendRow(sb, r, "ours (seed " + r.seed() + ")", r.test(), metrics);
            sb.append(String.format(" %.2f |%n", r.evalSecondsTest()));
            // the paper's figure once per dataset and model, after its first seed
            Report.Group g = result.groupOf(r);
            if (g.paper() != null && shown.add(g)) {
                appendRow(sb, r, "paper", g.paper().figures(), metrics);
                sb.append(" |\n");
            }
        }
        appendSummary(sb, result, metrics);
        appendOrderings(sb, result);
        appendCost(sb, result);
        appendMachines(sb, result.runs());
        return sb.toString();
    }

    private static void appendOrderings(StringBuilder sb, Report.Result result) {
        if (result.orderings().isEmpty()) {
            return;
        }
        sb.append("\nModels ordered by test metric (mean over seeds) against the paper's order; τ = Kendall's tau between the two\n\n")
                .append("| dataset | metric | ours | paper | τ |\n|---|---|---|---|---:|\n");
        for (Report.Ordering o : result.orderings()) {
            sb.append("| ").append(o.dataset()).append(" | ").append(o.metric()).append(" | ").append(String.join(" > ", o.ours()))
                    .append(" | ").append(String.join(" > ", o.paper())).append(" | ")
                    .append(Double.isNaN(o.kendallTau()) ? "–" : String.format("%.2f", o.kendallTau())).append(" |\n");
        }
    }

    private static void appendSummary(StringBuilder sb, Report.Result result, List<String> metrics) {
        String baseline = result.spec().baseline();
        boolean multi = result.groups().stream().anyMatch(g -> g.runs().size() > 1);
        if (!multi && baseline == null) {
            return;
        }
        sb.append("\nMean ± standard deviation over the seeds that finished (n = number of seeds)");
        if (baseline != null) {
            sb.append("; Δ = mean difference from `").append(baseline)
                    .append("` over matched seeds, p = two-sided paired t-test; paper Δ = the paper's difference, with the p-value it reports");
        }
        sb.append("\n\n| dataset | model | n |");
        metrics.forEach(m -> sb.append(' ').append(m).append(" |"));
        sb.append("\n|---|---|---:|");
        metrics.forEach(m -> sb.append("---:|"));
        sb.append('\n');
        for (Report.Group g : result.groups()) {
            sb.append("| ").append(g.dataset()).append(" | ").append(g.label()).append(" | ").append(g.runs().size()).append(" |");
            for (String m : metrics) {
                Stats st = g.metrics().get(m).stats();
                sb.append(String.format(" %.4f", st.mean()));
                sb.append(Double.isNaN(st.sd()) ? " |" : String.format(" ± %.4f |", st.sd()));
            }
            sb.append('\n');
            if (g.matchedSeeds() != null) {
                sb.append("| | Δ vs ").append(baseline).append(" | ").append(g.matchedSeeds().size()).append(" |");
                for (String m : metrics) {
                    appendDifference(sb, g.metrics().get(m).meanDifference(), g.metrics().get(m).pairedP());
                }
                sb.append('\n');
            }
            if (g.paper() != null) {
                sb.append("| | paper | |");
                for (String m : metrics) {
                    Double v = g.paper().figures().get(m);
                    sb.append(v == null ? " – |" : String.format(" %.4f |", v));
                }
                sb.append('\n');
            }
            if (g.paperVsBaseline() != null) {
                sb.append("| | paper Δ vs ").append(baseline).append(" | |");
                for (String m : metrics) {
                    appendDifference(sb, g.paperVsBaseline().figures().get(m), g.paperVsBaseline().pValues().get(m));
                }
                sb.append('\n');
            }
        }
    }

    /** A difference from the baseline followed by its p-value where there is one; "–" where it is missing or undefined. */
    private static void appendDifference(StringBuilder sb, Double difference, Double p) {
        sb.append(difference != null && !Double.isNaN(difference) ? String.format(" %+.4f", difference) : " –");
        sb.append(p != null && !Double.isNaN(p) ? String.format(" (p %.3f) |", p) : " |");
    }

    /**
     * The machine the runs trained on; where they trained on several (a study resumed elsewhere), each with its runs,
     * so that the cost table's seconds are never read as one machine's.
     */
    static void appendMachines(StringBuilder sb, List<RunRecord> runs) {
        Map<String, List<String>> byMachine = new java.util.LinkedHashMap<>();
        for (RunRecord r : runs) {
            if (!r.machine().isEmpty()) {
                byMachine.computeIfAbsent(r.machine(), k -> new ArrayList<>()).add(r.label() + " seed " + r.seed());
            }
        }
        if (byMachine.size() == 1) {
            sb.append("\nMachine: ").append(byMachine.keySet().iterator().next()).append('\n');
        } else if (byMachine.size() > 1) {
            sb.append("\nMachines (the runs trained on more than one):\n");
            byMachine.forEach((machine, labels) -> sb.append("- ").append(machine).append(": ").append(String.join(", ", labels)).append('\n'));
        }
    }

    private static void appendCost(StringBuilder sb, Report.Result result) {
        sb.append("\nTraining cost per run (MACs: multiply-accumulates of one sequence's forward pass up to the user"
                + " representation, counted from the engine's trace; peak RSS of the training process)\n\n"
                + "| dataset | model | seed | weights | MACs / sequence | epochs (best) | median train s / epoch | peak RSS (MB) |\n"
                + "|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (RunRecord r : result.runs()) {
            RunRecord.Cost t = r.training();
            sb.append(String.format("| %s | %s | %d | %s | %s | %s | %s | %s |%n", r.dataset(), r.label(), r.seed(),
                    t.model() != null ? String.format("%.2fM", t.model().params() / 1e6) : "–",
                    t.model() != null ? String.format("%.2fM", t.model().encoderMacs() / 1e6) : "–",
                    t.epochs() != null ? t.epochs() + " (" + t.bestEpoch() + ")" : "–",
                    t.medianTrainSecondsPerEpoch() != null ? String.format("%.1f", t.medianTrainSecondsPerEpoch()) : "–",
                    t.peakRssMb() != null ? t.peakRssMb().toString() : "–"));
        }
    }

    private static void appendRow(StringBuilder sb, RunRecord r, String source, Map<String, Double> values, List<String> metrics) {
        sb.append("| ").append(r.dataset()).append(" | ").append(r.label()).append(" | ").append(source).append(" |");
        for (String m : metrics) {
            sb.append(values.containsKey(m) ? String.format(" %.4f |", values.get(m)) : " – |");
        }
    }
}
