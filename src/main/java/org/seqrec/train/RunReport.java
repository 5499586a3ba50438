package org.seqrec.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.seqrec.eval.Protocol;
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
        JsonNode reference = paper == null ? null : Json.read(paper).path(protocol.key());
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
            ObjectNode row = rows.addObject();
            String dataset = r.path("dataset").path("name").asText();
            String model = r.path("model").asText();
            row.put("run", run.toString());
            row.put("dataset", dataset);
            row.put("model", model);
            row.put("seed", r.path("seed").asLong());
            row.put("users", r.path("dataset").path("evaluated_users").asInt());
            row.put("eval_seconds_test", r.path("seconds").path("test").asDouble());
            row.put("machine", r.path("versions").path("machine").asText());
            row.set("test", r.path("test"));
            row.set("valid", r.path("valid"));
            if (reference != null && reference.path(dataset).has(model)) {
                row.set("paper_test", reference.path(dataset).path(model));
            }
        }
        return out;
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
        for (JsonNode row : report.path("runs")) {
            appendRow(sb, row, "ours (seed " + row.path("seed").asLong() + ")", row.path("test"), metrics);
            sb.append(String.format(" %.2f |%n", row.path("eval_seconds_test").asDouble()));
            if (row.has("paper_test")) {
                appendRow(sb, row, "paper", row.path("paper_test"), metrics);
                sb.append(" |\n");
            }
        }
        String machine = report.path("runs").path(0).path("machine").asText("");
        if (!machine.isEmpty()) {
            sb.append("\nMachine: ").append(machine).append('\n');
        }
        return sb.toString();
    }

    private static void appendRow(StringBuilder sb, JsonNode row, String source, JsonNode values, List<String> metrics) {
        sb.append("| ").append(row.path("dataset").asText()).append(" | ").append(row.path("model").asText()).append(" | ")
                .append(source).append(" |");
        for (String m : metrics) {
            sb.append(values.has(m) ? String.format(" %.4f |", values.path(m).asDouble()) : " – |");
        }
    }
}
