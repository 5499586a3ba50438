package org.seqrec.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.seqrec.train.Versions;
import org.seqrec.util.AtomicFiles;
import org.seqrec.util.Json;

/**
 * Seconds per training epoch from runs' {@code history.jsonl} (median over their epochs), as
 * {@code PREFIX.json} and {@code PREFIX.md}, with the reference figure and the profile of the
 * first run. Usage: {@code EpochTimeReport PREFIX RUN_DIR...}.
 */
public final class EpochTimeReport {
    /** The figure for the authors' PyTorch implementation on this kind of machine. */
    static final double REFERENCE_SECONDS = 220;

    private EpochTimeReport() {}

    public static void main(String[] args) throws IOException {
        Path prefix = Path.of(args[0]);
        ObjectNode out = Json.object();
        out.put("benchmark", "seconds per training epoch, Beauty, Table C3 settings (batch 256, L 50, D 64, 2 layers, "
                + "K 45, circular), prefix regime, 2 threads; median over the run's epochs");
        out.put("machine", Versions.machine());
        out.put("reference_seconds", REFERENCE_SECONDS);
        out.put("reference", "authors' PyTorch implementation on this kind of machine, as quoted in the issue");
        ArrayNode rows = out.putArray("runs");
        StringBuilder md = new StringBuilder();
        md.append("Training time per epoch on Beauty (Table C3 settings, 2 threads), `bench/epoch-time.sh`. Machine: ")
                .append(Versions.machine()).append(".\n\n| model | variant | epochs | median train s/epoch | each epoch (s) | vs 220 s |\n|---|---|---:|---:|---|---:|\n");
        String profile = null;
        for (int i = 1; i < args.length; i++) {
            Path run = Path.of(args[i]);
            JsonNode config = Json.read(run.resolve("config.json"));
            List<Double> secs = new ArrayList<>();
            for (String line : Files.readAllLines(run.resolve("history.jsonl"))) {
                if (!line.isBlank()) {
                    secs.add(Json.MAPPER.readTree(line).path("train_seconds").asDouble());
                }
            }
            double median = MixerSpeedReport.median(secs);
            String model = config.path("model").asText();
            String variant = "conv_impl=" + config.path("params").path("conv_impl").asText("-");
            if (model.equals("convformer-f")) {
                variant = "FFT";
            }
            ObjectNode row = rows.addObject();
            row.put("run", run.toString());
            row.put("model", model);
            row.put("variant", variant);
            row.put("median_train_seconds", median);
            row.set("train_seconds", Json.MAPPER.valueToTree(secs));
            StringBuilder each = new StringBuilder();
            for (double s : secs) {
                each.append(each.length() > 0 ? ", " : "").append(String.format("%.1f", s));
            }
            md.append(String.format("| %s | %s | %d | %.1f | %s | %.1fx faster |%n", model, variant, secs.size(), median, each,
                    REFERENCE_SECONDS / median));
            if (profile == null && Files.isRegularFile(run.resolve("profile.md"))) {
                profile = Files.readString(run.resolve("profile.md"));
            }
        }
        if (profile != null) {
            md.append("\nWhere a training step's time goes (first run, engine profiler):\n\n").append(profile);
            out.put("profile", profile);
        }
        Json.write(Path.of(prefix + ".json"), out);
        AtomicFiles.writeString(Path.of(prefix + ".md"), md.toString());
        System.out.print(md);
    }
}
