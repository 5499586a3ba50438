package org.seqrec.eval;

import java.util.Map;
import org.seqrec.data.LeaveOneOut;

/**
 * Metrics of one protocol on one part (valid or test), with the per-user ranks they came from
 * ({@code ranks[i]} belongs to user index {@code users[i]}) for significance tests.
 */
public record EvalResult(Protocol protocol, LeaveOneOut.Part part, Map<String, Double> metrics, int[] users, int[] ranks,
        double seconds) {

    /** A metric of {@link #metrics}, or any other cut-off {@link RankMetrics#isMetric} names, from the ranks. */
    public double metric(String name) {
        Double v = metrics.get(name);
        if (v == null) {
            if (!RankMetrics.isMetric(name)) {
                throw new IllegalArgumentException("no metric " + name + " (have " + metrics.keySet() + ")");
            }
            return RankMetrics.value(name, ranks);
        }
        return v;
    }
}
