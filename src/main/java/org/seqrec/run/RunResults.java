package org.seqrec.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.seqrec.data.DataSource;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.eval.EvalResult;
import org.seqrec.eval.Protocol;
import org.seqrec.util.AtomicFiles;
import org.seqrec.util.Json;

/** A run's evaluation files: per-user ranks, the Markdown of its results, and the one-line summary. */
public final class RunResults {
    private RunResults() {}

    static void writeRanks(Path file, LeaveOneOut split, EvalResult valid, EvalResult test) {
        AtomicFiles.writeText(file, w -> {
            w.write("user\tvalid_rank\ttest_rank\n");
            int[] users = valid.users();
            for (int i = 0; i < users.length; i++) {
                w.write(split.data().userId(users[i]) + "\t" + valid.ranks()[i] + "\t" + test.ranks()[i] + "\n");
            }
        });
    }

    /** Markdown tables of every protocol this run has results for. */
    public static String markdown(RunDir run) {
        StringBuilder sb = new StringBuilder();
        RunConfig config = Json.read(run.config(), RunConfig.class);
        sb.append("# ").append(config.model()).append(" on ").append(dataName(config.data())).append("\n\n");
        for (Protocol p : Protocol.values()) {
            if (!Files.isRegularFile(run.results(p))) {
                continue;
            }
            JsonNode r = Json.read(run.results(p));
            sb.append(table(p, r));
            sb.append('\n');
        }
        return sb.toString();
    }

    /** One protocol's results as a Markdown table, valid and test rows. */
    public static String table(Protocol p, JsonNode results) {
        StringBuilder sb = new StringBuilder();
        List<String> metrics = new ArrayList<>(p.reportedMetrics());
        sb.append("Protocol `").append(p.key()).append("`");
        if (results.has("negatives")) {
            sb.append(" (").append(results.path("negatives").path("per_user").asInt()).append(" negatives, sha256 ")
                    .append(results.path("negatives").path("sha256").asText(), 0, 12).append(")");
        }
        sb.append(", ").append(results.path("dataset").path("evaluated_users").asInt()).append(" users\n\n");
        sb.append("| part |");
        metrics.forEach(m -> sb.append(' ').append(m).append(" |"));
        sb.append("\n|---|");
        metrics.forEach(m -> sb.append("---:|"));
        sb.append('\n');
        for (String part : List.of("valid", "test")) {
            sb.append("| ").append(part).append(" |");
            for (String m : metrics) {
                sb.append(String.format(" %.4f |", results.path(part).path(m).asDouble()));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String dataName(DataSource d) {
        return Path.of(d.path()).getFileName().toString();
    }

    public static String brief(EvalResult r, Protocol p) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String k : p.reportedMetrics()) {
            m.put(k, r.metric(k));
        }
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> sb.append(String.format("%s %.4f  ", k, v)));
        return sb.toString().trim();
    }

}
