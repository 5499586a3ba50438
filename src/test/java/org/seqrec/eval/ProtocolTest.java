package org.seqrec.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.seqrec.util.SeqrecException;

class ProtocolTest {
    @Test
    void parseIsCaseBlindAndKeysRoundTrip() {
        assertThat(Protocol.parse("sampled")).isSameAs(Protocol.SAMPLED);
        assertThat(Protocol.parse("UNI100")).isSameAs(Protocol.UNI100);
        assertThat(Protocol.parse("Full")).isSameAs(Protocol.FULL);
        assertThat(Protocol.SAMPLED.key()).isEqualTo("sampled");
        assertThat(Protocol.UNI100.key()).isEqualTo("uni100");
        assertThat(Protocol.FULL.key()).isEqualTo("full");
        assertThatThrownBy(() -> Protocol.parse("loo")).isInstanceOf(SeqrecException.class)
                .hasMessageContaining("unknown protocol 'loo'");
    }

    @Test
    void negativesAndMetricsAsThePapersReport() {
        assertThat(Protocol.SAMPLED.negatives()).isEqualTo(99);
        assertThat(Protocol.UNI100.negatives()).isEqualTo(100);
        assertThat(Protocol.FULL.negatives()).isZero();
        assertThat(Protocol.FULL.sampled()).isFalse();
        assertThat(Protocol.UNI100.sampled()).isTrue();
        assertThat(Protocol.SAMPLED.selectionMetric()).isEqualTo("MRR");
        assertThat(Protocol.FULL.selectionMetric()).isEqualTo("NDCG@10");
        assertThat(Protocol.SAMPLED.reportedMetrics()).containsExactly("HR@1", "HR@5", "HR@10", "NDCG@5", "NDCG@10", "MRR");
        assertThat(Protocol.FULL.reportedMetrics())
                .containsExactly("HR@5", "HR@10", "HR@20", "NDCG@5", "NDCG@10", "NDCG@20", "MRR@5", "MRR@10", "MRR");
        // every reported metric is one the evaluator computes
        for (Protocol p : Protocol.values()) {
            assertThat(RankMetrics.names()).containsAll(p.reportedMetrics()).contains(p.selectionMetric());
        }
    }
}
