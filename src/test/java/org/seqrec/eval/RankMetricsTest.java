package org.seqrec.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RankMetricsTest {
    @Test
    void anyCutOffByNameAsTheAuthorsSelectOnNdcgAt50() {
        int[] ranks = {0, 1, 4, 9, 10, 49, 50, 99};
        // by the definitions, written out: ranks below 50 count at @50
        double ndcg50 = (1 + 1 / log2(3) + 1 / log2(6) + 1 / log2(11) + 1 / log2(12) + 1 / log2(51)) / 8;
        assertThat(RankMetrics.value("NDCG@50", ranks)).isCloseTo(ndcg50, within(1e-12));
        assertThat(RankMetrics.value("HR@50", ranks)).isCloseTo(6 / 8.0, within(1e-12));
        assertThat(RankMetrics.value("MRR@50", ranks)).isCloseTo((1 + 1 / 2.0 + 1 / 5.0 + 1 / 10.0 + 1 / 11.0 + 1 / 50.0) / 8, within(1e-12));
        assertThat(RankMetrics.value("MRR", ranks)).isCloseTo(RankMetrics.compute(ranks).get("MRR"), within(1e-12));
        // the fixed cut-offs agree with compute()
        RankMetrics.compute(ranks).forEach((name, v) -> assertThat(RankMetrics.value(name, ranks)).as(name).isCloseTo(v, within(1e-12)));
        for (String bad : new String[] {"NDCG@0", "HR@", "ndcg@10", "NDCG@50x", "AUC", "NDCG@1000000", "NDCG@-5"}) {
            assertThat(RankMetrics.isMetric(bad)).as(bad).isFalse();
        }
        EvalResult r = new EvalResult(Protocol.FULL, org.seqrec.data.LeaveOneOut.Part.VALID, RankMetrics.compute(ranks), new int[ranks.length],
                ranks, 0);
        assertThat(r.metric("NDCG@50")).isCloseTo(ndcg50, within(1e-12));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.metric("AUC")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void handComputedRankList() {
        int[] ranks = {0, 1, 4, 9, 10, 99};
        Map<String, Double> m = RankMetrics.compute(ranks);
        assertThat(m.get("HR@1")).isCloseTo(1 / 6.0, within(1e-12));
        assertThat(m.get("HR@5")).isCloseTo(3 / 6.0, within(1e-12));
        assertThat(m.get("HR@10")).isCloseTo(4 / 6.0, within(1e-12));
        assertThat(m.get("HR@20")).isCloseTo(5 / 6.0, within(1e-12));
        double ndcg5 = (1 + 1 / log2(3) + 1 / log2(6)) / 6;
        double ndcg10 = ndcg5 + 1 / log2(11) / 6;
        assertThat(m.get("NDCG@5")).isCloseTo(ndcg5, within(1e-12));
        assertThat(m.get("NDCG@10")).isCloseTo(ndcg10, within(1e-12));
        double mrr = (1 + 1 / 2.0 + 1 / 5.0 + 1 / 10.0 + 1 / 11.0 + 1 / 100.0) / 6;
        assertThat(m.get("MRR")).isCloseTo(mrr, within(1e-12));
        assertThat(m.get("MRR@5")).isCloseTo((1 + 1 / 2.0 + 1 / 5.0) / 6, within(1e-12));
        assertThat(m.get("MRR@10")).isCloseTo((1 + 1 / 2.0 + 1 / 5.0 + 1 / 10.0) / 6, within(1e-12));
        assertThat(m.get("NDCG@1")).isEqualTo(m.get("HR@1"));
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    @Test
    void tiesCountAgainstTheTarget() {
        assertThat(RankMetrics.rank(new float[] {1, 1, 1, 1}, 0)).isEqualTo(3);
        assertThat(RankMetrics.rank(new float[] {2, 1, 2, 3}, 0)).isEqualTo(2); // 3 above, one tie
        assertThat(RankMetrics.rank(new float[] {5, 1, 2, 3}, 0)).isEqualTo(0);
        assertThat(RankMetrics.rank(new float[] {Float.NaN, 1, 2}, 0)).isEqualTo(2);
    }

    @Test
    void namesAreTheSixteenMetrics() {
        // @30: the ConvFormer paper's Table B1 (HIT@30, NDCG@30)
        assertThat(RankMetrics.names()).containsExactly("HR@1", "HR@5", "HR@10", "HR@20", "HR@30", "NDCG@1", "NDCG@5", "NDCG@10",
                "NDCG@20", "NDCG@30", "MRR@1", "MRR@5", "MRR@10", "MRR@20", "MRR@30", "MRR");
        // no ranks: zeros, not NaN
        assertThat(RankMetrics.compute(new int[0]).values()).containsOnly(0.0);
    }
}
