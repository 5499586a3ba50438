package org.seqrec.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.seqrec.data.Dataset;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.eval.EvalResult;
import org.seqrec.eval.Evaluator;
import org.seqrec.eval.Protocol;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.model.zoo.ModelRegistry;
import org.seqrec.util.Json;

/**
 * Full-ranking evaluation speed at a large catalogue (the ConvFormer paper's Xbox set has 40K items):
 * a model with random weights (the speed does not depend on them) scores synthetic users whose
 * histories (lengths geometric with the Xbox set's mean of 29 actions, at least 3) draw items from a
 * Zipf-like popularity, with seqrec's {@link Evaluator} on the validation targets. Reports users per
 * second over the timed passes (after one warm-up pass) and the process's user and system CPU time
 * from {@code /proc/self/stat} during them.
 *
 * <p>Usage: {@code EvalBenchmark MODEL ITEMS USERS BATCH PASSES OUT.jsonl [key=value ...]} (one JSON
 * line appended per timed pass).
 */
public final class EvalBenchmark {
    private EvalBenchmark() {}

    public static void main(String[] args) throws IOException {
        Engine.getInstance();
        String model = args[0];
        int items = Integer.parseInt(args[1]);
        int users = Integer.parseInt(args[2]);
        int batch = Integer.parseInt(args[3]);
        int passes = Integer.parseInt(args[4]);
        Path out = Path.of(args[5]);
        Map<String, Object> params = new java.util.LinkedHashMap<>();
        for (int i = 6; i < args.length; i++) {
            String v = args[i].substring(args[i].indexOf('=') + 1);
            params.put(args[i].substring(0, args[i].indexOf('=')), v.matches("-?\\d+") ? (Object) Integer.valueOf(v) : v);
        }
        Dataset data = synthetic(items, users, 7);
        LeaveOneOut split = new LeaveOneOut(data);
        Evaluator evaluator = new Evaluator(split, Protocol.FULL, null, batch);
        try (NDManager base = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(1);
            NeuralSeqModel m = ((NeuralSpec) ModelRegistry.get(model)).build(base, data.numItems(), params);
            evaluator.evaluate(m, LeaveOneOut.Part.VALID, base); // warm-up
            if (Boolean.getBoolean("profile")) { // -Dprofile=true: an engine profile of one pass, not timed
                org.seqrec.train.Profiler.start();
                long t0 = System.nanoTime();
                evaluator.evaluate(m, LeaveOneOut.Part.VALID, base);
                double wall = (System.nanoTime() - t0) / 1e9;
                String md = org.seqrec.train.Profiler.stop(Path.of("bench/out/eval-profile-trace.json"),
                        Path.of("bench/out/eval-profile-" + model + ".md"), 1, wall);
                System.out.println(md.lines().limit(30).collect(java.util.stream.Collectors.joining("\n")));
            }
            for (int p = 0; p < passes; p++) {
                long[] cpu0 = cpuTicks();
                long t0 = System.nanoTime();
                EvalResult r = evaluator.evaluate(m, LeaveOneOut.Part.VALID, base);
                double wall = (System.nanoTime() - t0) / 1e9;
                long[] cpu1 = cpuTicks();
                double user = (cpu1[0] - cpu0[0]) / 100.0;
                double sys = (cpu1[1] - cpu0[1]) / 100.0;
                ObjectNode row = Json.object();
                row.put("model", model);
                row.put("items", data.numItems());
                row.put("users", split.numUsers());
                row.put("batch", batch);
                row.put("threads", ai.djl.pytorch.jni.JniUtils.getNumThreads());
                row.put("seconds", wall);
                row.put("users_per_second", split.numUsers() / wall);
                row.put("cpu_user_s", user);
                row.put("cpu_sys_s", sys);
                row.put("sys_share", sys / Math.max(1e-9, user + sys));
                row.put("ndcg10", r.metric("NDCG@10"));
                row.put("load1", BenchResults.load1());
                Files.writeString(out, row + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                System.out.printf("%s items=%d: %.0f users/s, user %.1fs sys %.1fs (%.0f%% sys)%n", model, items,
                        split.numUsers() / wall, user, sys, 100 * sys / Math.max(1e-9, user + sys));
            }
        }
    }

    /** Users with geometric history lengths (mean 29, at least 3) over Zipf-like item popularity. */
    static Dataset synthetic(int items, int users, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] cdf = new double[items];
        double total = 0;
        for (int i = 0; i < items; i++) {
            total += 1.0 / Math.pow(i + 10, 0.9);
            cdf[i] = total;
        }
        List<String> ids = new ArrayList<>(users);
        List<int[]> seqs = new ArrayList<>(users);
        for (int u = 0; u < users; u++) {
            int len = 3 + (int) (Math.log(1 - rnd.nextDouble()) / Math.log(1 - 1.0 / 26));
            int[] s = new int[len];
            for (int j = 0; j < len; j++) {
                int at = java.util.Arrays.binarySearch(cdf, rnd.nextDouble() * total);
                s[j] = 1 + Math.min(items - 1, at < 0 ? -at - 1 : at);
            }
            ids.add("u" + u);
            seqs.add(s);
        }
        return Dataset.of("synthetic-" + items, ids, seqs);
    }

    /** The process's user and system CPU time in clock ticks (1/100 s). */
    static long[] cpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
    }
}
