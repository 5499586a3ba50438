package org.seqrec.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.seqrec.eval.Protocol;
import org.seqrec.run.RunDir;
import org.seqrec.util.Json;
import org.seqrec.util.SeqrecException;

/**
 * A table of several runs' test metrics under one protocol, with a paper's figures beside them
 * when a reference file is given ({@code {"sampled": {DATASET: {MODEL: {METRIC: value}}}}}, as in
 * {@code bench/paper/convformer.json}). Written as JSON and Markdown.
 */
public final class RunReport {
    private RunReport() {}

    public static ObjectNode build(List<Path> runs, Protocol protocol, Path paper) {
        return build(runs, protocol, paper, null);
    }

    /**
     * @param baseline a model name, or null: per dataset, each other model's mean difference from it
     *     over the seeds both have, with a two-sided paired t-test when there are at least 2
     */
    public static ObjectNode build(List<Path> runs, Protocol protocol, Path paper, String baseline) {
        return build(runs, protocol, paper, baseline, DEFAULT_PAPER_SECTION);
    }

    /** Where a reference file keeps a dataset's figures unless told otherwise: {@code {"sampled": {DATASET: {MODEL: ...}}}}. */
    public static final String DEFAULT_PAPER_SECTION = "{protocol}/{dataset}";

    /**
     * @param paperSection the path in the reference file to one dataset's models, keys separated by
     *     {@code /}, with {@code {protocol}} and {@code {dataset}} filled in per run, e.g.
     *     {@code sar_study/{dataset}/layers=2} for the SAR study's Table B2
     */
    public static ObjectNode build(List<Path> runs, Protocol protocol, Path paper, String baseline, String paperSection) {
        ObjectNode out = table(runs, protocol, paper, paperSection);
        if (paper != null) {
            out.put("paper_section", paperSection);
        }
        out.set("summary", summary(out, protocol, baseline));
        out.set("orderings", orderings(out.path("summary")));
        if (baseline != null) {
            out.put("baseline", baseline);
        }
        return out;
    }

    private static ObjectNode table(List<Path> runs, Protocol protocol, Path paper, String paperSection) {
        JsonNode reference = paper == null ? null : Json.read(paper);
        ObjectNode out = Json.object();
        out.put("protocol", protocol.key());
        if (paper != null) {
            out.put("paper", paper.toString());
        }
        ArrayNode rows = out.putArray("runs");
        for (Path run : runs) {
            Path file = new RunDir(run).results(protocol);
            if (!Files.isRegularFile(file)) {
                throw new SeqrecException(run + " has no " + protocol.key() + " results (run 'seqrec evaluate --run " + run
                        + " --protocol " + protocol.key() + "')");
            }
            JsonNode r = Json.read(file);
            for (String field : new String[] {"/model", "/dataset/name", "/test"}) {
                JsonNode v = r.at(field);
                if (v.isMissingNode() || v.isNull() || v.isValueNode() && v.asText().isEmpty()) {
                    throw new SeqrecException(file + " is not a seqrec results file: it has no " + field.substring(1).replace('/', '.'));
                }
            }
            ObjectNode row = rows.addObject();
            String dataset = r.path("dataset").path("name").asText();
            // a run trained in another regime than its model's own (--param regime) is its own row and has no paper figure
            Path config = run.resolve("config.json");
            String regime = Files.isRegularFile(config) ? Json.read(config).path("params").path("regime").asText("") : "";
            String model = r.path("model").asText() + (regime.isEmpty() ? "" : " (" + regime + ")");
            row.put("run", run.toString());
            row.put("dataset", dataset);
            row.put("model", model);
            row.put("seed", r.path("seed").asLong());
            row.put("users", r.path("dataset").path("evaluated_users").asInt());
            row.put("eval_seconds_test", r.path("seconds").path("test").asDouble());
            row.put("machine", r.path("versions").path("machine").asText());
            row.set("test", r.path("test"));
            row.set("valid", r.path("valid"));
            row.set("training", training(run));
            JsonNode figures = reference == null ? null : section(reference, paperSection, protocol, dataset);
            if (figures != null && figures.has(model)) {
                row.set("paper_test", figures.path(model));
            }
        }
        return out;
    }

    /** The node at {@code path} ({@code /}-separated, placeholders filled in), or a missing node. */
    static JsonNode section(JsonNode reference, String path, Protocol protocol, String dataset) {
        JsonNode node = reference;
        for (String key : path.replace("{protocol}", protocol.key()).replace("{dataset}", dataset).split("/")) {
            node = node.path(key);
        }
        return node;
    }

    /** Per dataset and model: seeds, mean and sample standard deviation of each metric, the paper's figure. */
    private static ArrayNode summary(ObjectNode report, Protocol protocol, String baseline) {
        Map<String, List<JsonNode>> groups = new LinkedHashMap<>();
        for (JsonNode row : report.path("runs")) {
            groups.computeIfAbsent(row.path("dataset").asText() + "\t" + row.path("model").asText(), k -> new ArrayList<>()).add(row);
        }
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (Map.Entry<String, List<JsonNode>> g : groups.entrySet()) {
            String[] key = g.getKey().split("\t");
            ObjectNode row = out.addObject();
            row.put("dataset", key[0]);
            row.put("model", key[1]);
            ArrayNode seeds = row.putArray("seeds");
            g.getValue().forEach(r -> seeds.add(r.path("seed").asLong()));
            ObjectNode mean = row.putObject("mean");
            ObjectNode std = row.putObject("std");
            for (String m : protocol.reportedMetrics()) {
                org.seqrec.report.Aggregate.Stats st = org.seqrec.report.Aggregate.Stats.of(
                        g.getValue().stream().mapToDouble(r -> r.path("test").path(m).asDouble()).toArray());
                mean.put(m, st.mean());
                Json.putNumber(std, m, st.sd()); // NaN (null) with one seed
            }
            if (g.getValue().get(0).has("paper_test")) {
                row.set("paper_test", g.getValue().get(0).path("paper_test"));
            }
            List<JsonNode> base = baseline == null ? null : groups.get(key[0] + "\t" + baseline);
            if (base != null && !key[1].equals(baseline)) {
                row.set("vs_baseline", compare(g.getValue(), base, protocol));
                JsonNode paperBase = base.get(0).path("paper_test");
                if (row.has("paper_test") && !paperBase.isMissingNode()) {
                    row.set("paper_vs_baseline", paperDifference(row.path("paper_test"), paperBase, protocol));
                }
            }
        }
        return out;
    }

    /**
     * The paper's own difference (model - baseline) per metric, and the p-value the paper reports for
     * it where it has one ({@code p_values} beside the figures, e.g. Table B2's paired t-tests).
     */
    private static ObjectNode paperDifference(JsonNode model, JsonNode base, Protocol protocol) {
        ObjectNode out = Json.object();
        ObjectNode diff = out.putObject("difference");
        ObjectNode pValue = out.putObject("p");
        for (String m : protocol.reportedMetrics()) {
            if (model.has(m) && base.has(m)) {
                Json.putNumber(diff, m, model.path(m).asDouble() - base.path(m).asDouble());
            }
            if (model.path("p_values").has(m)) {
                Json.putNumber(pValue, m, model.path("p_values").path(m).asDouble());
            }
        }
        return out;
    }

    /** The metrics whose model orderings a report compares with the paper's. */
    static final List<String> ORDERING_METRICS = List.of("HR@10", "MRR");

    /**
     * Per dataset with at least two models that have the paper's figure: the models ordered by our
     * mean and by the paper's figure for each of {@link #ORDERING_METRICS}, and Kendall's tau between
     * the two orders (1: the same order; -1: reversed). Whether a paper's ordering holds, stated.
     */
    static ArrayNode orderings(JsonNode summary) {
        Map<String, List<JsonNode>> byDataset = new LinkedHashMap<>();
        for (JsonNode row : summary) {
            if (row.has("paper_test")) {
                byDataset.computeIfAbsent(row.path("dataset").asText(), k -> new ArrayList<>()).add(row);
            }
        }
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (Map.Entry<String, List<JsonNode>> e : byDataset.entrySet()) {
            for (String metric : ORDERING_METRICS) {
                List<JsonNode> rows = e.getValue().stream().filter(r -> r.path("paper_test").has(metric)).toList();
                if (rows.size() < 2) {
                    continue;
                }
                double[] ours = rows.stream().mapToDouble(r -> r.path("mean").path(metric).asDouble()).toArray();
                double[] theirs = rows.stream().mapToDouble(r -> r.path("paper_test").path(metric).asDouble()).toArray();
                ObjectNode o = out.addObject();
                o.put("dataset", e.getKey());
                o.put("metric", metric);
                o.set("ours", order(rows, ours));
                o.set("paper", order(rows, theirs));
                Json.putNumber(o, "kendall_tau", new org.apache.commons.math3.stat.correlation.KendallsCorrelation()
                        .correlation(ours, theirs));
            }
        }
        return out;
    }

    /** Model names by decreasing value. */
    private static ArrayNode order(List<JsonNode> rows, double[] value) {
        Integer[] idx = new Integer[rows.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (a, b) -> Double.compare(value[b], value[a]));
        ArrayNode names = Json.MAPPER.createArrayNode();
        for (int i : idx) {
            names.add(rows.get(i).path("model").asText());
        }
        return names;
    }

    /** Mean difference (model - baseline) over matched seeds, and the paired t-test's p-value. */
    private static ObjectNode compare(List<JsonNode> model, List<JsonNode> base, Protocol protocol) {
        MatchedSeeds pairs = MatchedSeeds.of(testsBySeed(model), testsBySeed(base));
        ObjectNode out = Json.object();
        ArrayNode matched = out.putArray("seeds");
        pairs.seeds().forEach(matched::add);
        ObjectNode diff = out.putObject("mean_difference");
        ObjectNode pValue = out.putObject("paired_t_p");
        for (String m : protocol.reportedMetrics()) {
            Json.putNumber(diff, m, pairs.meanDifference(m));
            Json.putNumber(pValue, m, pairs.pairedP(m)); // NaN (null) when undefined
        }
        return out;
    }

    private static Map<Long, JsonNode> testsBySeed(List<JsonNode> runs) {
        Map<Long, JsonNode> out = new LinkedHashMap<>();
        runs.forEach(r -> out.put(r.path("seed").asLong(), r.path("test")));
        return out;
    }

    /**
     * What training cost, from the run directory: epochs run and the best one, the median seconds of a
     * full training epoch, the peak resident memory, and the model's size and MACs per sequence
     * ({@code cost.json}); fields a run does not have (older runs, PopRec) are left out.
     */
    static ObjectNode training(Path run) {
        ObjectNode t = Json.object();
        Path history = run.resolve("history.jsonl");
        if (Files.isRegularFile(history)) {
            List<Double> seconds = new ArrayList<>();
            long peak = -1;
            int epochs = 0;
            int best = -1;
            try {
                for (String line : Files.readAllLines(history)) {
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode h = Json.MAPPER.readTree(line);
                    epochs++;
                    best = h.path("best_epoch").asInt(best);
                    if (!h.has("batches") || h.path("batches").asInt() == h.path("epoch_batches").asInt()) {
                        seconds.add(h.path("train_seconds").asDouble());
                    }
                    peak = Math.max(peak, h.path("peak_rss_mb").asLong(-1));
                }
            } catch (java.io.IOException e) {
                throw new SeqrecException("cannot read " + history + ": " + e.getMessage(), e);
            }
            t.put("epochs", epochs);
            t.put("best_epoch", best);
            if (!seconds.isEmpty()) {
                t.put("median_train_seconds_per_epoch",
                        new org.apache.commons.math3.stat.descriptive.rank.Median().evaluate(
                                seconds.stream().mapToDouble(Double::doubleValue).toArray()));
            }
            if (peak > 0) {
                t.put("peak_rss_mb", peak);
            }
        }
        Path cost = run.resolve("cost.json");
        if (Files.isRegularFile(cost)) {
            t.setAll((ObjectNode) Json.read(cost));
        }
        return t;
    }

    public static String markdown(ObjectNode report) {
        Protocol p = Protocol.parse(report.path("protocol").asText());
        List<String> metrics = p.reportedMetrics();
        StringBuilder sb = new StringBuilder();
        sb.append("Test metrics, protocol `").append(p.key()).append("`");
        if (report.has("paper")) {
            sb.append("; `paper` rows: ").append(report.path("paper").asText());
        }
        sb.append("\n\n| dataset | model | source |");
        metrics.forEach(m -> sb.append(' ').append(m).append(" |"));
        sb.append(" test eval (s) |\n|---|---|---|");
        metrics.forEach(m -> sb.append("---:|"));
        sb.append("---:|");
        sb.append('\n');
        java.util.Set<String> shown = new java.util.HashSet<>();
        for (JsonNode row : report.path("runs")) {
            appendRow(sb, row, "ours (seed " + row.path("seed").asLong() + ")", row.path("test"), metrics);
            sb.append(String.format(" %.2f |%n", row.path("eval_seconds_test").asDouble()));
            // the paper's figure once per dataset and model, after its first seed
            if (row.has("paper_test") && shown.add(row.path("dataset").asText() + "\t" + row.path("model").asText())) {
                appendRow(sb, row, "paper", row.path("paper_test"), metrics);
                sb.append(" |\n");
            }
        }
        appendSummary(sb, report, metrics);
        appendOrderings(sb, report);
        appendCost(sb, report);
        String machine = report.path("runs").path(0).path("machine").asText("");
        if (!machine.isEmpty()) {
            sb.append("\nMachine: ").append(machine).append('\n');
        }
        return sb.toString();
    }

    private static void appendOrderings(StringBuilder sb, ObjectNode report) {
        JsonNode orderings = report.path("orderings");
        if (orderings.isEmpty()) {
            return;
        }
        sb.append("\nModels ordered by test metric (mean over seeds) against the paper's order; τ = Kendall's tau between the two\n\n")
                .append("| dataset | metric | ours | paper | τ |\n|---|---|---|---|---:|\n");
        for (JsonNode o : orderings) {
            sb.append("| ").append(o.path("dataset").asText()).append(" | ").append(o.path("metric").asText()).append(" | ")
                    .append(String.join(" > ", names(o.path("ours")))).append(" | ")
                    .append(String.join(" > ", names(o.path("paper")))).append(" | ")
                    .append(o.path("kendall_tau").isNumber() ? String.format("%.2f", o.path("kendall_tau").asDouble()) : "–")
                    .append(" |\n");
        }
    }

    private static List<String> names(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static void appendSummary(StringBuilder sb, ObjectNode report, List<String> metrics) {
        JsonNode summary = report.path("summary");
        boolean multi = false;
        for (JsonNode row : summary) {
            multi |= row.path("seeds").size() > 1;
        }
        if (!multi && !report.has("baseline")) {
            return;
        }
        sb.append("\nMean ± standard deviation over the seeds that finished (n = number of seeds)");
        if (report.has("baseline")) {
            sb.append("; Δ = mean difference from `").append(report.path("baseline").asText())
                    .append("` over matched seeds, p = two-sided paired t-test; paper Δ = the paper's difference, with the p-value it reports");
        }
        sb.append("\n\n| dataset | model | n |");
        metrics.forEach(m -> sb.append(' ').append(m).append(" |"));
        sb.append("\n|---|---|---:|");
        metrics.forEach(m -> sb.append("---:|"));
        sb.append('\n');
        for (JsonNode row : summary) {
            sb.append("| ").append(row.path("dataset").asText()).append(" | ").append(row.path("model").asText()).append(" | ")
                    .append(row.path("seeds").size()).append(" |");
            for (String m : metrics) {
                double sd = row.path("std").path(m).asDouble(Double.NaN);
                sb.append(String.format(" %.4f", row.path("mean").path(m).asDouble()));
                sb.append(Double.isNaN(sd) ? " |" : String.format(" ± %.4f |", sd));
            }
            sb.append('\n');
            if (row.has("vs_baseline")) {
                JsonNode v = row.path("vs_baseline");
                appendDifferences(sb, "Δ vs " + report.path("baseline").asText(), String.valueOf(v.path("seeds").size()),
                        v.path("mean_difference"), v.path("paired_t_p"), metrics);
            }
            if (row.has("paper_test")) {
                sb.append("| | paper | |");
                for (String m : metrics) {
                    JsonNode v = row.path("paper_test").path(m);
                    sb.append(v.isMissingNode() ? " – |" : String.format(" %.4f |", v.asDouble()));
                }
                sb.append('\n');
            }
            if (row.has("paper_vs_baseline")) {
                JsonNode v = row.path("paper_vs_baseline");
                appendDifferences(sb, "paper Δ vs " + report.path("baseline").asText(), "", v.path("difference"), v.path("p"), metrics);
            }
        }
    }

    /**
     * A row of differences from the baseline, each followed by its p-value where there is one; "–"
     * where a difference is missing or undefined (null: no matched seed).
     */
    private static void appendDifferences(StringBuilder sb, String label, String n, JsonNode differences, JsonNode pValues,
            List<String> metrics) {
        sb.append("| | ").append(label).append(" |").append(n.isEmpty() ? "" : " " + n).append(" |");
        for (String m : metrics) {
            JsonNode d = differences.path(m);
            JsonNode p = pValues.path(m);
            sb.append(d.isNumber() ? String.format(" %+.4f", d.asDouble()) : " –");
            sb.append(p.isNumber() ? String.format(" (p %.3f) |", p.asDouble()) : " |");
        }
        sb.append('\n');
    }

    private static void appendCost(StringBuilder sb, ObjectNode report) {
        sb.append("\nTraining cost per run (MACs: multiply-accumulates of one sequence's forward pass up to the user"
                + " representation, counted from the engine's trace; peak RSS of the training process)\n\n"
                + "| dataset | model | seed | weights | MACs / sequence | epochs (best) | median train s / epoch | peak RSS (MB) |\n"
                + "|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (JsonNode row : report.path("runs")) {
            JsonNode t = row.path("training");
            sb.append(String.format("| %s | %s | %d | %s | %s | %s | %s | %s |%n", row.path("dataset").asText(),
                    row.path("model").asText(), row.path("seed").asLong(),
                    t.has("params") ? String.format("%.2fM", t.path("params").asLong() / 1e6) : "–",
                    t.has("encoderMacs") ? String.format("%.2fM", t.path("encoderMacs").asLong() / 1e6) : "–",
                    t.has("epochs") ? t.path("epochs").asInt() + " (" + t.path("best_epoch").asInt() + ")" : "–",
                    t.has("median_train_seconds_per_epoch")
                            ? String.format("%.1f", t.path("median_train_seconds_per_epoch").asDouble()) : "–",
                    t.has("peak_rss_mb") ? t.path("peak_rss_mb").asText() : "–"));
        }
    }

    private static void appendRow(StringBuilder sb, JsonNode row, String source, JsonNode values, List<String> metrics) {
        sb.append("| ").append(row.path("dataset").asText()).append(" | ").append(row.path("model").asText()).append(" | ")
                .append(source).append(" |");
        for (String m : metrics) {
            sb.append(values.has(m) ? String.format(" %.4f |", values.path(m).asDouble()) : " – |");
        }
    }
}
