package org.seqrec.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.seqrec.data.FmlpReader;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.data.SplitMix64;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.model.zoo.ModelRegistry;
import org.seqrec.run.Versions;
import org.seqrec.train.Adam;
import org.seqrec.train.ModelCost;
import org.seqrec.train.Profiler;
import org.seqrec.train.Training;
import org.seqrec.util.AtomicFiles;
import org.seqrec.util.Json;

/**
 * What share of this machine's matrix-multiply peak a training step reaches. The step's arithmetic is
 * counted from the engine's trace of one step on real batches (the matrix products and convolutions the
 * forward and backward passes execute, with their shapes; element-wise work not counted), its time is the
 * median of timed steps (loss, backward, Adam), and the peak is the best of several fp32 products of
 * 2048 x 2048 matrices, with the FFN's own shapes beside it, in the same JVM and thread count.
 *
 * <p>Usage: {@code GemmShare MODEL DATA PREFIX STEPS [key=value ...]}: writes {@code PREFIX.json}, {@code PREFIX.md} and the
 * traced step's operator profile {@code PREFIX-profile.md}.
 */
public final class GemmShare {
    private GemmShare() {}

    public static void main(String[] args) {
        Engine.getInstance();
        String name = args[0];
        Path data = Path.of(args[1]);
        String prefix = args[2];
        int steps = Integer.parseInt(args[3]);
        NeuralSpec spec = (NeuralSpec) ModelRegistry.get(name);
        Map<String, Object> params = new LinkedHashMap<>(Training.defaults(spec));
        for (int i = 4; i < args.length; i++) {
            String v = args[i].substring(args[i].indexOf('=') + 1);
            params.put(args[i].substring(0, args[i].indexOf('=')), v.matches("-?\\d+") ? (Object) Integer.valueOf(v) : v);
        }
        int batch = 256;
        LeaveOneOut split = new LeaveOneOut(FmlpReader.read(data));
        int len = ((Number) params.getOrDefault("max_len", 50)).intValue();
        var epoch = Training.regime(spec, params).epoch(split, len, new SplitMix64(42));
        double[] seconds = new double[steps];
        long macs;
        try (NDManager base = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(1);
            NeuralSeqModel model = spec.build(base, split.data().numItems(), params);
            Adam adam = new Adam(model.params(), 1e-3f, 0f);
            long[] traced = new long[1];
            for (int s = 0; s < steps + 3; s++) {
                int from = s * batch % Math.max(1, epoch.size() - batch);
                SplitMix64 rng = new SplitMix64(s);
                long t0 = System.nanoTime();
                Runnable step = () -> {
                    try (NDManager m = base.newSubManager()) {
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            gc.backward(epoch.loss(model, model.params().bind(m, rng), from, from + batch, m));
                        }
                        adam.step();
                    }
                };
                if (s == 2) { // traced (not timed): the products of one step, and its operator profile
                    Profiler.start();
                    step.run();
                    Path trace = Path.of(prefix + "-trace.json");
                    Profiler.stop(trace, Path.of(prefix + "-profile.md"), 1, (System.nanoTime() - t0) / 1e9);
                    com.fasterxml.jackson.databind.JsonNode events = Json.read(trace);
                    traced[0] = ModelCost.macs(events.isArray() ? events : events.path("traceEvents"));
                    trace.toFile().delete();
                    continue;
                }
                step.run();
                if (s >= 3) {
                    seconds[s - 3] = (System.nanoTime() - t0) / 1e9;
                }
            }
            macs = traced[0];
        }
        double stepSeconds = Medians.of(seconds);
        double achieved = 2.0 * macs / stepSeconds / 1e9;
        Map<String, Double> peaks = new LinkedHashMap<>();
        int rows = batch * len;
        int d = ((Number) params.getOrDefault("hidden", 64)).intValue();
        peaks.put("2048x2048 x 2048x2048", gflops(2048, 2048, 2048, 5));
        peaks.put(rows + "x" + d + " x " + d + "x" + 4 * d + " (FFN up)", gflops(rows, d, 4 * d, 20));
        peaks.put(rows + "x" + 4 * d + " x " + 4 * d + "x" + d + " (FFN down)", gflops(rows, 4 * d, d, 20));
        double peak = peaks.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        int threads = ai.djl.pytorch.jni.JniUtils.getNumThreads();
        ObjectNode out = Json.object();
        out.put("model", name);
        out.put("params", params.toString());
        out.put("machine", Versions.machine());
        out.put("threads", threads);
        out.put("step_macs", macs);
        out.put("step_seconds_median", stepSeconds);
        out.put("achieved_gflops", achieved);
        out.set("gemm_gflops", Json.MAPPER.valueToTree(peaks));
        out.put("share_of_peak", achieved / peak);
        Json.write(Path.of(prefix + ".json"), out);
        StringBuilder md = new StringBuilder();
        md.append(String.format("Share of the GEMM peak reached by a %s training step on %s (batch %d; `bench/gemm-share.sh`)."
                + " Machine: %s, %d engine threads.%n%n", name, split.data().name(), batch, Versions.machine(), threads));
        md.append(String.format("- matrix products per step (forward and backward, from the engine's trace): %.2f GMAC = %.2f GFLOP%n",
                macs / 1e9, 2 * macs / 1e9));
        md.append(String.format("- step time (median of %d steps, loss + backward + Adam): %.1f ms%n", steps, 1000 * stepSeconds));
        md.append(String.format("- achieved: **%.1f GFLOP/s = %.0f%% of the peak below**%n%n", achieved, 100 * achieved / peak));
        md.append("| fp32 product | GFLOP/s (best of the runs) |\n|---|---:|\n");
        peaks.forEach((k, v) -> md.append(String.format("| %s | %.1f |%n", k, v)));
        AtomicFiles.writeString(Path.of(prefix + ".md"), md.toString());
        System.out.print(md);
    }

    /** Best GFLOP/s of {@code reps} products {@code [m, k] x [k, n]}. */
    static double gflops(int m, int k, int n, int reps) {
        try (NDManager base = NDManager.newBaseManager()) {
            NDArray a = base.randomNormal(new Shape(m, k));
            NDArray b = base.randomNormal(new Shape(k, n));
            double best = Double.MAX_VALUE;
            for (int r = 0; r < reps + 2; r++) {
                try (NDManager mm = base.newSubManager()) {
                    long t0 = System.nanoTime();
                    NDArray c = a.matMul(b);
                    c.getFloat(0, 0); // waits for it
                    if (r >= 2) {
                        best = Math.min(best, (System.nanoTime() - t0) / 1e9);
                    }
                }
            }
            return 2.0 * m * k * n / best / 1e9;
        }
    }

}
