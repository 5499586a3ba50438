package org.seqrec.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.seqrec.util.Json;

/**
 * The rank count of one full-ranking batch at the evaluator's 16 MB budget ([102, 40001] scores, the Xbox catalogue):
 * {@code scores >= target} summed as the engine sums booleans (into int64) against converted to float32 first (what
 * the evaluator does), interleaved in one JVM after a warm-up; medians. Args: ROUNDS OUT_PREFIX. Run by bench/rank-count.sh.
 */
public final class RankCountBenchmark {
    private RankCountBenchmark() {}

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        String prefix = args[1];
        int rows = 102;
        int cols = 40_001;
        List<Double> bool = new ArrayList<>();
        List<Double> floats = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray scores = m.randomNormal(new Shape(rows, cols));
            NDArray target = scores.get(new NDIndex(":, 5:6"));
            for (int r = -5; r < rounds; r++) {
                long t0 = System.nanoTime();
                int[] a;
                try (NDManager s = m.newSubManager()) {
                    a = scores.gte(target).sum(new int[] {1}).toType(DataType.INT32, false).toIntArray();
                }
                long t1 = System.nanoTime();
                int[] b;
                try (NDManager s = m.newSubManager()) {
                    b = scores.gte(target).toType(DataType.FLOAT32, false).sum(new int[] {1}).toType(DataType.INT32, false).toIntArray();
                }
                long t2 = System.nanoTime();
                if (!java.util.Arrays.equals(a, b)) {
                    throw new IllegalStateException("the two counts differ");
                }
                if (r >= 0) {
                    bool.add((t1 - t0) / 1e6);
                    floats.add((t2 - t1) / 1e6);
                }
            }
        }
        double mb = Medians.of(bool);
        double mf = Medians.of(floats);
        String load = BenchResults.load1();
        var out = Json.object();
        out.put("rows", rows);
        out.put("columns", cols);
        out.put("bool_sum_ms_median", mb);
        out.put("float32_sum_ms_median", mf);
        out.put("rounds", rounds);
        out.put("threads", Integer.getInteger("ai.djl.pytorch.num_threads", -1));
        out.put("load1_at_end", load);
        out.set("bool_sum_ms", Json.MAPPER.valueToTree(bool));
        out.set("float32_sum_ms", Json.MAPPER.valueToTree(floats));
        String md = String.format("Counting scores >= the target in one [%d, %d] full-ranking batch (`bench/rank-count.sh`, one JVM, %d interleaved"
                + " rounds after 5 warm-ups, 2 engine threads; load %s at the end): the engine's boolean sum %.1f ms, converted to float32"
                + " first %.1f ms (medians; %.2fx).%n", rows, cols, rounds, load, mb, mf, mb / mf);
        BenchResults.write(prefix, out, md);
    }
}
