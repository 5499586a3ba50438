package org.seqrec.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Metrics of protocols.md section 5 from 0-based ranks, averaged over users: {@code HR@k}
 * (= Recall@k with one target), {@code NDCG@k}, {@code MRR@k} and {@code MRR}.
 */
public final class RankMetrics {
    /** The cut-offs computed for every protocol (30: the ConvFormer paper's Table B1). */
    public static final int[] CUTOFFS = {1, 5, 10, 20, 30};

    private RankMetrics() {}

    public static double hit(int rank, int k) {
        return rank < k ? 1.0 : 0.0;
    }

    public static double ndcg(int rank, int k) {
        return rank < k ? 1.0 / (Math.log(rank + 2) / Math.log(2)) : 0.0;
    }

    public static double reciprocal(int rank) {
        return 1.0 / (rank + 1);
    }

    public static double reciprocal(int rank, int k) {
        return rank < k ? 1.0 / (rank + 1) : 0.0;
    }

    /** The names of the metrics {@link #compute} returns. */
    public static java.util.Set<String> names() {
        return compute(new int[0]).keySet();
    }

    /** All metrics, keyed {@code HR@k}, {@code NDCG@k}, {@code MRR@k} for {@link #CUTOFFS}, and {@code MRR}. */
    public static Map<String, Double> compute(int[] ranks) {
        int nk = CUTOFFS.length;
        double[] hr = new double[nk];
        double[] ndcg = new double[nk];
        double[] mrrk = new double[nk];
        double mrr = 0;
        for (int rank : ranks) {
            for (int i = 0; i < nk; i++) {
                hr[i] += hit(rank, CUTOFFS[i]);
                ndcg[i] += ndcg(rank, CUTOFFS[i]);
                mrrk[i] += reciprocal(rank, CUTOFFS[i]);
            }
            mrr += reciprocal(rank);
        }
        double n = Math.max(1, ranks.length);
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < nk; i++) {
            out.put("HR@" + CUTOFFS[i], hr[i] / n);
        }
        for (int i = 0; i < nk; i++) {
            out.put("NDCG@" + CUTOFFS[i], ndcg[i] / n);
        }
        for (int i = 0; i < nk; i++) {
            out.put("MRR@" + CUTOFFS[i], mrrk[i] / n);
        }
        out.put("MRR", mrr / n);
        return out;
    }

    private static final java.util.regex.Pattern AT_K = java.util.regex.Pattern.compile("(HR|NDCG|MRR)@([1-9][0-9]{0,5})");

    /**
     * Whether {@link #value} computes {@code name}: {@code HR@k}, {@code NDCG@k}, {@code MRR@k} for any
     * cut-off 1 <= k <= 999999 (e.g. NDCG@50, the ConvFormer authors' selection metric under full
     * ranking), or {@code MRR}.
     */
    public static boolean isMetric(String name) {
        return name.equals("MRR") || AT_K.matcher(name).matches();
    }

    /** One metric named as {@link #isMetric} accepts, averaged over {@code ranks}. */
    public static double value(String name, int[] ranks) {
        if (!isMetric(name)) {
            throw new IllegalArgumentException("no metric " + name + " (HR@k, NDCG@k, MRR@k or MRR)");
        }
        java.util.regex.Matcher at = AT_K.matcher(name);
        String kind = at.matches() ? at.group(1) : "MRR";
        int k = at.matches() ? Integer.parseInt(at.group(2)) : Integer.MAX_VALUE;
        double sum = 0;
        for (int rank : ranks) {
            sum += switch (kind) {
                case "HR" -> hit(rank, k);
                case "NDCG" -> ndcg(rank, k);
                default -> reciprocal(rank, k);
            };
        }
        return sum / Math.max(1, ranks.length);
    }

    /**
     * The rank of {@code scores[target]} among {@code scores} (protocols.md section 4): candidates
     * scoring strictly higher, plus the <em>other</em> candidates scoring equal (ties count against the
     * target). A NaN target score gets the worst rank.
     */
    public static int rank(float[] scores, int target) {
        float t = scores[target];
        if (Float.isNaN(t)) {
            return scores.length - 1;
        }
        int rank = 0;
        for (int i = 0; i < scores.length; i++) {
            if (i != target && scores[i] >= t) {
                rank++;
            }
        }
        return rank;
    }
}
