package org.seqrec.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.seqrec.run.Versions;
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
        out.put("benchmark", "seconds per training epoch, Beauty, Table C3 settings (batch 256, L 50, D 64, 2 layers), "
                + "each model's defaults and regime; median over the run's epochs; a run limited to N batches per epoch "
                + "(max_batches) is extrapolated to the full epoch from its seconds per batch");
        out.put("machine", Versions.machine());
        out.put("reference_seconds", REFERENCE_SECONDS);
        out.put("reference", "ConvFormer, authors' PyTorch implementation on this kind of machine, as quoted in the issue");
        ArrayNode rows = out.putArray("runs");
        StringBuilder md = new StringBuilder();
        md.append("Training time per epoch on Beauty (Table C3 settings, 2 engine threads, machine otherwise idle). Machine: ")
                .append(Versions.machine()).append(".\n\n| model | variant | regime | batches/epoch | epochs x batches timed |"
                        + " median s/batch | s/epoch | vs 220 s |\n|---|---|---|---:|---|---:|---:|---:|\n");
        String profile = null;
        for (int i = 1; i < args.length; i++) {
            Path run = Path.of(args[i]);
            JsonNode config = Json.read(run.resolve("config.json"));
            List<Double> perBatch = new ArrayList<>();
            int timed = 0;
            int epochBatches = 0;
            String regime = "prefix";
            for (String line : Files.readAllLines(run.resolve("history.jsonl"))) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode h = Json.MAPPER.readTree(line);
                epochBatches = h.path("epoch_batches").asInt(0);
                timed = h.path("batches").asInt(epochBatches);
                regime = h.path("regime").asText(regime);
                perBatch.add(h.path("train_seconds").asDouble() / Math.max(1, timed));
            }
            double secondsPerBatch = Medians.of(perBatch);
            double epochSeconds = secondsPerBatch * epochBatches;
            String model = config.path("model").asText();
            JsonNode params = config.path("params");
            String variant = params.has("conv_impl") && !model.equals("convformer-f") ? "conv_impl=" + params.path("conv_impl").asText()
                    : model.equals("convformer-f") ? "FFT"
                    : params.path("length_groups").asBoolean(false) ? "length groups" : "-";
            ObjectNode row = rows.addObject();
            row.put("run", run.toString());
            row.put("model", model);
            row.put("variant", variant);
            row.put("regime", regime);
            row.put("epoch_batches", epochBatches);
            row.put("timed_batches_per_epoch", timed);
            row.put("epochs", perBatch.size());
            row.put("median_seconds_per_batch", secondsPerBatch);
            row.put("seconds_per_epoch", epochSeconds);
            md.append(String.format("| %s | %s | %s | %d | %d x %d | %.3f | %.1f | %.1fx |%n", model, variant, regime, epochBatches,
                    perBatch.size(), timed, secondsPerBatch, epochSeconds, REFERENCE_SECONDS / epochSeconds));
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
