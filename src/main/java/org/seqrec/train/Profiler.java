package org.seqrec.train;

import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.seqrec.util.AtomicFiles;
import org.seqrec.util.Json;

/**
 * The engine's operator profiler around a few training steps: writes the raw trace
 * ({@code profile-trace.json}, Chrome trace format) and a table of where the time went
 * ({@code profile.md}). Enabled with {@code --param profile_steps=N}.
 */
public final class Profiler {
    private Profiler() {}

    public static void start() {
        JniUtils.startProfile(false, true, false);
    }

    /** The engine's trace events (Chrome trace format, with input shapes) of what {@code work} runs. */
    public static JsonNode trace(Runnable work) {
        Path file;
        try {
            file = java.nio.file.Files.createTempFile("seqrec-trace", ".json");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try {
            start();
            try {
                work.run();
            } finally {
                JniUtils.stopProfile(file.toString());
            }
            JsonNode trace = Json.read(file);
            return trace.isArray() ? trace : trace.path("traceEvents");
        } finally {
            file.toFile().delete();
        }
    }

    /** Stops profiling and writes the raw trace and the summary ({@code summary}); returns the summary. */
    public static String stop(Path trace, Path summary, int steps, double wallSeconds) {
        JniUtils.stopProfile(trace.toString());
        String md = summarize(Json.read(trace), steps, wallSeconds);
        AtomicFiles.writeString(summary, md);
        return md;
    }

    /**
     * Per operator: calls and total time (inclusive: an operator's time contains the operators it
     * calls, so nested rows overlap) over the profiled steps, largest first.
     */
    static String summarize(JsonNode trace, int steps, double wallSeconds) {
        JsonNode events = trace.isArray() ? trace : trace.path("traceEvents");
        Map<String, double[]> byName = new HashMap<>();
        for (JsonNode e : events) {
            if (!"X".equals(e.path("ph").asText())) {
                continue;
            }
            double[] acc = byName.computeIfAbsent(e.path("name").asText(), k -> new double[2]);
            acc[0] += e.path("dur").asDouble() / 1000.0;
            acc[1]++;
        }
        List<Map.Entry<String, double[]>> rows = new ArrayList<>(byName.entrySet());
        rows.sort((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0]));
        double perStep = wallSeconds * 1000 / steps;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("Profile of %d training steps: %.1f ms per step (wall, profiler on). "
                + "Times are inclusive (nested operators overlap), per step.%n%n", steps, perStep));
        sb.append("| operator | ms per step | % of step | calls per step |\n|---|---:|---:|---:|\n");
        for (int i = 0; i < Math.min(30, rows.size()); i++) {
            double ms = rows.get(i).getValue()[0] / steps;
            sb.append(String.format("| `%s` | %.2f | %.1f%% | %.0f |%n", rows.get(i).getKey(), ms, 100 * ms / perStep,
                    rows.get(i).getValue()[1] / steps));
        }
        return sb.toString();
    }
}
