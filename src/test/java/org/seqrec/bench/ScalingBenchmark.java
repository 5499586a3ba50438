package org.seqrec.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.model.zoo.ModelRegistry;
import org.seqrec.report.Charts;
import org.seqrec.run.Versions;
import org.seqrec.train.Adam;
import org.seqrec.train.PeakMemory;
import org.seqrec.train.PrefixCeRegime;
import org.seqrec.train.Training;
import org.seqrec.util.AtomicFiles;
import org.seqrec.util.Json;

/**
 * Time and peak memory of one training step against the sequence length L (RecGRELA's scaling
 * claim): for each model and L, a batch of synthetic full-length histories (random items) goes
 * through the encoder, the softmax cross-entropy at the last position (the same loss for every
 * model, so that only the architecture differs), the backward pass and an Adam update. Time: the
 * median of the timed steps after warm-up steps. Memory: the peak resident memory of the steps
 * above the resident memory after building the model (the kernel's peak counter is reset through
 * {@code /proc/self/clear_refs} first), each configuration in its own JVM.
 *
 * <p>Usage: {@code ScalingBenchmark measure MODEL L BATCH WARMUP STEPS OUT.jsonl} (one
 * configuration, one JSON line appended), then {@code ScalingBenchmark report PREFIX OUT.jsonl}: writes
 * {@code PREFIX.json}, {@code PREFIX.md}, {@code PREFIX-time.png/svg} and {@code PREFIX-memory.png/svg}.
 * {@code ScalingBenchmark measure-data MODEL L BATCH WARMUP STEPS OUT.jsonl DATA [key=value ...]}
 * times steps on a real dataset's batches in the model's regime instead (bench/recgrela-crop.sh, bench/length-groups.sh).
 */
public final class ScalingBenchmark {
    static final int ITEMS = 5000;

    private ScalingBenchmark() {}

    public static void main(String[] args) throws IOException {
        Engine.getInstance(); // loads the native library before the thread count is read
        if (args[0].equals("measure") || args[0].equals("measure-data")) { // one configuration per JVM: its own peak RSS
            // measure MODEL L BATCH WARMUP STEPS OUT.jsonl | measure-data MODEL L BATCH WARMUP STEPS OUT.jsonl DATA [key=value ...]
            boolean onData = args[0].equals("measure-data");
            String model = args[1];
            int len = Integer.parseInt(args[2]);
            int batch = Integer.parseInt(args[3]);
            Map<String, Object> extra = new LinkedHashMap<>();
            for (int i = 8; onData && i < args.length; i++) {
                String value = args[i].substring(args[i].indexOf('=') + 1);
                extra.put(args[i].substring(0, args[i].indexOf('=')), value.matches("-?\\d+") ? (Object) Integer.valueOf(value) : value);
            }
            double[] r = onData ? measureOnData(model, len, batch, Integer.parseInt(args[4]), Integer.parseInt(args[5]), Path.of(args[7]), extra)
                    : measure(model, len, batch, Integer.parseInt(args[4]), Integer.parseInt(args[5]));
            ObjectNode row = Json.object();
            row.put("model", model);
            if (onData) {
                row.put("data", org.seqrec.data.FmlpReader.datasetName(Path.of(args[7])));
                row.put("params", extra.toString());
            }
            row.put("L", len);
            row.put("batch", batch);
            row.put("step_seconds", r[0]);
            row.put("peak_step_memory_mb", r[1]);
            row.put("threads", ai.djl.pytorch.jni.JniUtils.getNumThreads());
            row.put("load1", BenchResults.load1()); // the 1-minute load average after the steps
            Files.writeString(Path.of(args[6]), row + "\n", java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            System.out.printf("%s %s L=%d: %.3f s/step, %.0f MB%n", model, extra, len, r[0], r[1]);
            return;
        }
        Path prefix = Path.of(args[1]); // report PREFIX JSONL
        List<ObjectNode> measured = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[2]))) {
            if (!line.isBlank()) {
                measured.add((ObjectNode) Json.MAPPER.readTree(line));
            }
        }
        int batch = measured.get(0).path("batch").asInt();
        List<Integer> lengthList = new ArrayList<>();
        measured.forEach(r -> {
            if (!lengthList.contains(r.path("L").asInt())) {
                lengthList.add(r.path("L").asInt());
            }
        });
        int[] lengths = lengthList.stream().mapToInt(Integer::intValue).toArray();
        ObjectNode out = Json.object();
        out.put("benchmark", "one training step (encoder, softmax cross-entropy over " + ITEMS + " items at position L-1, backward,"
                + " Adam) on synthetic full-length histories, one JVM per configuration; time: median over the timed steps;"
                + " memory: peak RSS during the steps above the RSS after building the model");
        out.put("batch", batch);
        out.put("machine", Versions.machine());
        out.put("threads", measured.get(0).path("threads").asInt());
        ArrayNode rows = out.putArray("rows");
        Map<String, List<double[]>> byModel = new LinkedHashMap<>();
        Map<String, Integer> failedAt = new LinkedHashMap<>(); // a model's configuration whose JVM died (bench/scaling.sh records it)
        for (ObjectNode r : measured) {
            rows.add(r);
            List<double[]> list = byModel.computeIfAbsent(r.path("model").asText(), k -> new ArrayList<>());
            if (r.has("failed")) {
                failedAt.put(r.path("model").asText(), r.path("L").asInt());
            } else {
                list.add(new double[] {r.path("L").asInt(), r.path("step_seconds").asDouble(), r.path("peak_step_memory_mb").asDouble()});
            }
        }
        Json.write(Path.of(prefix + ".json"), out);
        StringBuilder md = new StringBuilder();
        md.append("Training step against sequence length, batch ").append(batch).append(", D 64, each model's defaults (recgrela 4 blocks,"
                + " linrec and sasrec 2 blocks); the same loss for all (cross-entropy over ").append(ITEMS)
                .append(" items at L-1). Machine: ").append(Versions.machine()).append(", ").append(out.path("threads").asInt())
                .append(" engine threads; 1-minute load average after each configuration's steps ").append(loadRange(measured))
                .append(".\n\n| model |");
        for (int len : lengths) {
            md.append(" L=").append(len).append(" s |");
        }
        for (int len : lengths) {
            md.append(" L=").append(len).append(" MB |");
        }
        md.append("\n|---|").append("---:|".repeat(2 * lengths.length)).append('\n');
        for (Map.Entry<String, List<double[]>> e : byModel.entrySet()) {
            md.append("| ").append(e.getKey()).append(" |");
            for (int col = 1; col <= 2; col++) {
                for (int len : lengths) {
                    double[] r = e.getValue().stream().filter(x -> x[0] == len).findFirst().orElse(null);
                    Integer failed = failedAt.get(e.getKey());
                    md.append(r != null ? String.format(col == 1 ? " %.3f |" : " %.0f |", r[col])
                            : failed != null && len == failed ? " died |" : " - |");
                }
            }
            md.append('\n');
        }
        md.append("\nGrowth from the shortest to the longest L (ratio of time, of memory) against the ratio of lengths (")
                .append(lengths[lengths.length - 1] / lengths[0]).append("x):\n\n");
        for (Map.Entry<String, List<double[]>> e : byModel.entrySet()) {
            double[] first = e.getValue().get(0);
            double[] last = e.getValue().get(e.getValue().size() - 1);
            md.append(String.format("- %s: time x%.1f, memory x%.1f%s%n", e.getKey(), last[1] / first[1], last[2] / first[2],
                    last[0] == lengths[lengths.length - 1] ? "" : String.format(" (L %d to %d, a %dx longer sequence; L %d died)",
                            (int) first[0], (int) last[0], (int) (last[0] / first[0]), failedAt.getOrDefault(e.getKey(), -1))));
        }
        AtomicFiles.writeString(Path.of(prefix + ".md"), md.toString());
        for (int col = 1; col <= 2; col++) {
            List<Charts.Series> series = new ArrayList<>();
            for (Map.Entry<String, List<double[]>> e : byModel.entrySet()) {
                List<Double> x = new ArrayList<>();
                List<Double> y = new ArrayList<>();
                for (double[] r : e.getValue()) {
                    x.add(r[0]);
                    y.add(r[col]);
                }
                series.add(new Charts.Series(e.getKey(), x, y));
            }
            Charts.save(Charts.line(col == 1 ? "Training step time vs L (batch " + batch + ")" : "Peak step memory vs L (batch " + batch + ")",
                    "sequence length L", col == 1 ? "seconds per step" : "MB above the pre-step RSS", series),
                    Path.of(prefix + (col == 1 ? "-time" : "-memory")));
        }
        System.out.print(md);
    }

    /** "min to max" of the rows' load averages, or "not recorded" (rows measured before they were). */
    static String loadRange(List<ObjectNode> rows) {
        double lo = Double.MAX_VALUE;
        double hi = -1;
        for (ObjectNode r : rows) {
            if (r.has("load1")) {
                double v = Double.parseDouble(r.path("load1").asText());
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        return hi < 0 ? "not recorded" : String.format("%.2f to %.2f", lo, hi);
    }

    /** Median seconds per step, and the peak RSS of the steps above the RSS after building the model (MB). */
    static double[] measure(String name, int len, int batch, int warmup, int steps) {
        NeuralSpec spec = (NeuralSpec) ModelRegistry.get(name);
        Map<String, Object> params = new LinkedHashMap<>(Training.defaults(spec));
        params.put("max_len", len);
        params.put("hidden", 64);
        return timeSteps(spec, ITEMS, params, warmup, steps, (model, step, m) -> {
            NDArray ids = m.randomInteger(1, ITEMS + 1, new Shape(batch, len), DataType.INT64);
            NDArray targets = m.randomInteger(1, ITEMS + 1, new Shape(batch), DataType.INT64);
            var p = model.params().bind(m);
            return PrefixCeRegime.crossEntropy(model, p, model.encodeLast(p, ids, true), targets);
        });
    }

    /**
     * As {@link #measure}, on a real dataset's batches in the model's own training regime (prefix-CE
     * for RecGRELA, prefix for the SAR family; the first batches of a seeded epoch: the same rows for
     * every configuration) with the model's own defaults plus {@code extra}.
     */
    static double[] measureOnData(String name, int len, int batch, int warmup, int steps, Path data, Map<String, Object> extra) {
        NeuralSpec spec = (NeuralSpec) ModelRegistry.get(name);
        Map<String, Object> params = new LinkedHashMap<>(Training.defaults(spec));
        params.put("max_len", len);
        params.putAll(extra);
        org.seqrec.data.LeaveOneOut split = new org.seqrec.data.LeaveOneOut(org.seqrec.data.FmlpReader.read(data));
        var epoch = org.seqrec.train.Training.regime(spec.objective(params)).epoch(split, len, new org.seqrec.data.SplitMix64(42));
        return timeSteps(spec, split.data().numItems(), params, warmup, steps, (model, step, m) -> {
            int from = step * batch % Math.max(1, epoch.size() - batch);
            return epoch.loss(model, model.params().bind(m, new org.seqrec.data.SplitMix64(step)), from, from + batch, m); // host dropout masks as in training
        });
    }

    /** One step's loss: {@code (model, step number, the step's manager) -> loss}. */
    interface StepLoss {
        NDArray loss(NeuralSeqModel model, int step, NDManager m);
    }

    /** Warm-up then timed training steps (loss, backward, Adam): median seconds per step and peak MB above the model's RSS. */
    static double[] timeSteps(NeuralSpec spec, int numItems, Map<String, Object> params, int warmup, int steps, StepLoss stepLoss) {
        try (NDManager base = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(1);
            NeuralSeqModel model = spec.build(base, numItems, params);
            Adam adam = new Adam(model.params(), 1e-3f, 0f);
            double[] seconds = new double[steps];
            long before = PeakMemory.rssBytes();
            resetPeak();
            for (int s = 0; s < warmup + steps; s++) {
                long t0 = System.nanoTime();
                try (NDManager m = base.newSubManager()) {
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.backward(stepLoss.loss(model, s, m));
                    }
                    adam.step();
                }
                if (s >= warmup) {
                    seconds[s - warmup] = (System.nanoTime() - t0) / 1e9;
                }
            }
            return new double[] {Medians.of(seconds), (PeakMemory.peakRssBytes() - before) / 1048576.0};
        }
    }

    /** Resets the kernel's peak-RSS counter (VmHWM) of this process; a no-op where not supported. */
    static void resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            // not Linux, or not allowed: the peak is then the process's since start
        }
    }

}
