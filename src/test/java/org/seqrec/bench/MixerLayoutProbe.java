package org.seqrec.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.seqrec.util.Json;

/**
 * The layouts of ConvFormer's Toeplitz token mixer (issue 20): one channel-batched product {@code y_d = T_d x_d} at
 * Table C3's sizes (B 256, L 50, D 64), forward and backward (gradients for the input and the matrices, through a
 * weighted sum of the output), in three layouts, interleaved in one JVM after warm-ups; medians, and whether the
 * gradients of the three are bit for bit the same. The layouts: {@code permute-3d} (seqrec up to ad26b5f: a 3-D
 * permute copy to [D, L, B], the product, a strided view back), {@code gather} (the same, the way back a gather of
 * the flat output, whose gradient is a scatter into a contiguous tensor) and {@code transpose-2d} (seqrec since:
 * [B·L, D] -> [D, B·L] as 2-D transposes, the product as [D, B, L] x T^T, and a one-piece split on the way back so
 * that the product's gradient arrives contiguous). The engine's profile of the last rounds is written beside the
 * result. Args: ROUNDS OUT_PREFIX. Run by bench/mixer-layout.sh.
 */
public final class MixerLayoutProbe {
    private MixerLayoutProbe() {}

    private static final int B = 256;
    private static final int L = 50;
    private static final int D = 64;
    private static final String[] LAYOUTS = {"permute-3d", "gather", "transpose-2d"};

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        String prefix = args[1];
        Engine.getInstance().setRandomSeed(1);
        Map<String, List<Double>> times = new LinkedHashMap<>();
        float[][] grads = new float[LAYOUTS.length][];
        float[][] tgrads = new float[LAYOUTS.length][];
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(B, L, D));
            NDArray t = m.randomNormal(new Shape(D, L, L));
            NDArray w = m.randomNormal(new Shape(B, L, D));
            NDArray bias = m.randomNormal(new Shape(D)); // the convolution's bias, added as the model adds it
            long[] ix = new long[B * L * D];
            int q = 0;
            for (int b = 0; b < B; b++) {
                for (int s = 0; s < L; s++) {
                    for (int d = 0; d < D; d++) {
                        ix[q++] = (long) d * L * B + (long) s * B + b;
                    }
                }
            }
            NDArray idx = m.create(ix);
            for (String layout : LAYOUTS) {
                times.put(layout, new ArrayList<>());
            }
            Path trace = Path.of(prefix + "-profile.json");
            for (int r = -3; r < rounds; r++) {
                if (r == rounds - 3) {
                    JniUtils.startProfile(false, true, false);
                }
                for (int v = 0; v < LAYOUTS.length; v++) {
                    long t0;
                    try (NDManager s = m.newSubManager()) {
                        // the round's leaves live in its own manager, so every intermediate (attached to its first
                        // operand's manager) is freed with it, and each round starts from fresh gradients
                        NDArray xs = LinearScanProbe.copy(x, s);
                        NDArray ts = LinearScanProbe.copy(t, s);
                        xs.setRequiresGradient(true);
                        ts.setRequiresGradient(true);
                        t0 = System.nanoTime(); // the copies above are not timed
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            gc.backward(mix(v, xs, ts, idx).add(bias).mul(w).sum());
                        }
                        float gx = xs.getGradient().sum().getFloat(); // the gradients exist (scalar reads)
                        float gt = ts.getGradient().sum().getFloat();
                        if (r == rounds - 1) {
                            grads[v] = xs.getGradient().toFloatArray();
                            tgrads[v] = ts.getGradient().toFloatArray();
                        }
                        if (Float.isNaN(gx + gt)) {
                            throw new IllegalStateException("NaN gradient");
                        }
                    }
                    double ms = (System.nanoTime() - t0) / 1e6;
                    if (r >= 0) {
                        times.get(LAYOUTS[v]).add(ms);
                    }
                }
            }
            Files.createDirectories(trace.toAbsolutePath().getParent());
            JniUtils.stopProfile(trace.toString());
        }
        String load = BenchResults.load1();
        int threads = Integer.getInteger("ai.djl.pytorch.num_threads", -1);
        var out = Json.object();
        double base = Medians.of(times.get(LAYOUTS[0]));
        StringBuilder md = new StringBuilder(String.format("ConvFormer's Toeplitz mixer (`y_d = T_d x_d` per channel; B %d, L %d, D %d) forward and"
                + " backward in three layouts (`bench/mixer-layout.sh`, `MixerLayoutProbe`): one JVM, %d interleaved rounds after 3 warm-ups,"
                + " %d engine thread(s), load %s at the end.%n%n| layout | median ms | vs permute-3d | gradients equal permute-3d's bit for bit |%n"
                + "|---|---:|---:|---|%n", B, L, D, rounds, threads, load));
        for (int v = 0; v < LAYOUTS.length; v++) {
            double med = Medians.of(times.get(LAYOUTS[v]));
            boolean same = Arrays.equals(grads[v], grads[0]) && Arrays.equals(tgrads[v], tgrads[0]);
            var row = out.putObject(LAYOUTS[v]);
            row.put("ms_median", med);
            row.put("speedup_vs_permute_3d", base / med);
            row.put("gradients_equal", same);
            row.set("ms", Json.MAPPER.valueToTree(times.get(LAYOUTS[v])));
            md.append(String.format("| %s | %.2f | %.2fx | %s |%n", LAYOUTS[v], med, base / med, same ? "yes" : "no"));
        }
        out.put("rounds", rounds);
        out.put("threads", threads);
        out.put("load1_at_end", load);
        BenchResults.write(prefix, out, md.toString());
    }

    private static NDArray mix(int layout, NDArray x, NDArray t, NDArray idx) {
        if (layout == 2) {
            NDArray xt = x.reshape((long) B * L, D).transpose().reshape(-1).reshape(D, B, L);
            NDArray y = xt.batchMatMul(t.transpose(0, 2, 1));
            return y.reshape(D, (long) B * L).split(1, 0).singletonOrThrow().transpose().reshape(-1).reshape(B, L, D);
        }
        NDArray xt = x.transpose(2, 1, 0).flatten(0, 1).reshape(D, L, -1);
        NDArray y = t.batchMatMul(xt); // [D, L, B]
        return layout == 0 ? y.transpose(2, 1, 0) : y.reshape(-1).gather(idx, 0).reshape(B, L, D);
    }
}
