package org.seqrec.model.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.seqrec.model.HistoryBatch;
import org.seqrec.model.NeuralSeqModel;

/**
 * CORE: the session lies in the items' space and scores are cosines over τ. A history of one repeated item is that
 * item's embedding whatever the weights α, so it scores exactly 1/τ and every item scores within [-1/τ, 1/τ].
 */
class CoreTest {
    @Test
    void aRepeatedItemIsItsOwnSessionAndScoresAreCosinesOverTau() {
        Engine.getInstance().setRandomSeed(6);
        try (NDManager m = NDManager.newBaseManager()) {
            NeuralSeqModel model = new Core.Spec().build(m, 30, Map.of("hidden", 8, "max_len", 6, "inner", 16, "temperature", 0.5));
            float[] scores = model.scoreAll(HistoryBatch.ofHistories(new int[][] {{7, 7, 7}, {3, 9, 12, 4}}), m).toFloatArray();
            assertThat((double) scores[7]).isCloseTo(2.0, Offset.offset(1e-5)); // 1 / 0.5
            for (int i = 1; i < scores.length; i++) {
                assertThat((double) Math.abs(scores[i])).isLessThanOrEqualTo(2.0 + 1e-5);
            }
            long atMax = 0;
            for (int i = 1; i < 31; i++) {
                atMax += Math.abs(scores[i] - 2.0) < 1e-5 ? 1 : 0;
            }
            assertThat(atMax).as("only item 7 points the session's way").isEqualTo(1);
            float[] candidates = model.scoreCandidates(HistoryBatch.ofHistories(new int[][] {{7, 7, 7}}), m.create(new long[] {7, 3},
                    new Shape(1, 2)), m).toFloatArray();
            assertThat(candidates).containsExactly(new float[] {scores[7], scores[3]}, Offset.offset(1e-5f));
        }
    }
}
