package org.seqrec.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import org.seqrec.nn.LinearScan;
import org.seqrec.util.Json;

/**
 * The two forms of a time-invariant complex recurrence (LRURec's: {@link LinearScan#complexMatrix} and
 * {@link LinearScan#complexDoubling}) forward and backward at LRURec's sizes (B 128, N = 2D = 128 states) for a range
 * of lengths L, interleaved in one JVM after warm-ups; medians and their ratio, to place
 * {@link LinearScan#MATRIX_MAX_LEN}. Args: ROUNDS OUT_PREFIX L... Run by bench/linear-scan.sh.
 */
public final class LinearScanProbe {
    private LinearScanProbe() {}

    static NDArray copy(NDArray a, NDManager into) {
        return into.create(a.toFloatArray(), a.getShape());
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        String prefix = args[1];
        int b = 128;
        int n = 128;
        Engine.getInstance().setRandomSeed(1);
        var out = Json.object();
        int threads = Integer.getInteger("ai.djl.pytorch.num_threads", -1);
        StringBuilder md = new StringBuilder();
        List<String> rows = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            for (int a = 2; a < args.length; a++) {
                int len = Integer.parseInt(args[a]);
                NDArray lr = m.randomUniform(-0.7f, 0.7f, new Shape(n));
                NDArray li = m.randomUniform(-0.7f, 0.7f, new Shape(n));
                NDArray br = m.randomNormal(new Shape(b, len, n));
                NDArray bi = m.randomNormal(new Shape(b, len, n));
                NDArray w = m.randomNormal(new Shape(b, len, n));
                List<Double> matrix = new ArrayList<>();
                List<Double> doubling = new ArrayList<>();
                for (int r = -2; r < rounds; r++) {
                    for (int form = 0; form < 2; form++) {
                        long t0;
                        try (NDManager s = m.newSubManager()) {
                            // the round's leaves live in its own manager, so every intermediate (attached to its first
                            // operand's manager) is freed with it
                            NDArray[] in = {copy(lr, s), copy(li, s), copy(br, s), copy(bi, s)};
                            for (NDArray x : in) {
                                x.setRequiresGradient(true);
                            }
                            t0 = System.nanoTime(); // the copies above are not timed
                            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                                NDArray[] h = form == 0 ? LinearScan.complexMatrix(in[0], in[1], in[2], in[3])
                                        : LinearScan.complexDoubling(in[0], in[1], in[2], in[3]);
                                gc.backward(h[0].mul(w).sum().add(h[1].mul(w).sum()));
                            }
                            in[2].getGradient().sum().getFloat();
                            in[0].getGradient().sum().getFloat();
                        }
                        double ms = (System.nanoTime() - t0) / 1e6;
                        if (r >= 0) {
                            (form == 0 ? matrix : doubling).add(ms);
                        }
                    }
                }
                double mm = Medians.of(matrix);
                double dd = Medians.of(doubling);
                var row = out.putObject("L" + len);
                row.put("matrix_ms_median", mm);
                row.put("doubling_ms_median", dd);
                row.put("doubling_over_matrix", dd / mm);
                row.set("matrix_ms", Json.MAPPER.valueToTree(matrix));
                row.set("doubling_ms", Json.MAPPER.valueToTree(doubling));
                rows.add(String.format("| %d | %.2f | %.2f | %.2fx |%n", len, mm, dd, dd / mm));
            }
        }
        String load = BenchResults.load1();
        md.append(String.format("A time-invariant complex recurrence (LRURec's; B %d, N %d states) forward and backward: the matrix form against"
                + " doubling (`bench/linear-scan.sh`, `LinearScanProbe`; one JVM, %d interleaved rounds after 2 warm-ups, %d engine thread(s),"
                + " load %s at the end). `LinearScan.MATRIX_MAX_LEN` = %d.%n%n| L | matrix ms | doubling ms | doubling / matrix |%n|---:|---:|---:|---:|%n",
                128, 128, rounds, threads, load, LinearScan.MATRIX_MAX_LEN));
        rows.forEach(md::append);
        out.put("rounds", rounds);
        out.put("threads", threads);
        out.put("load1_at_end", load);
        out.put("matrix_max_len", LinearScan.MATRIX_MAX_LEN);
        BenchResults.write(prefix, out, md.toString());
    }
}
