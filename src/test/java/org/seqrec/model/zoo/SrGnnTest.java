package org.seqrec.model.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.seqrec.model.NeuralSeqModel;

/** SR-GNN: the session graph equals the hand-built one; the representation depends on the history, not its padding. */
class SrGnnTest {
    /**
     * History 5, 7, 9, 7, 3 (left-padded to 7): nodes 3, 5, 7, 9 (ascending); edges 5→7, 7→9, 9→7, 7→3. In-degrees:
     * 3: 1, 7: 2 (from 5 and 9), 9: 1; out-degrees: 5: 1, 7: 2 (to 9 and 3), 9: 1. A repeated edge counts once (1, 2, 1, 2).
     */
    @Test
    void theSessionGraphIsTheHandBuiltOne() {
        long[] ids = {0, 0, 5, 7, 9, 7, 3, 0, 0, 0, 1, 2, 1, 2};
        org.seqrec.nn.SessionGraph.Graph g = org.seqrec.nn.SessionGraph.of(ids, 2, 7);
        assertThat(g.maxNodes()).isEqualTo(4);
        assertThat(g.nodes()).containsExactly(3, 5, 7, 9, 1, 2, 0, 0);
        // node order 3, 5, 7, 9 -> indices 0..3; row v: [A_in(v, u) for u] then [A_out(v, u) for u]
        float[][] want = {
            {0, 0, 1, 0, /* out */ 0, 0, 0, 0}, // 3: in from 7
            {0, 0, 0, 0, /* out */ 0, 0, 1, 0}, // 5: out to 7
            {0, 0.5f, 0, 0.5f, /* out */ 0.5f, 0, 0, 0.5f}, // 7: in from 5 and 9; out to 3 and 9
            {0, 0, 1, 0, /* out */ 0, 0, 1, 0}, // 9: in from 7, out to 7
        };
        for (int v = 0; v < 4; v++) {
            for (int c = 0; c < 8; c++) {
                assertThat(g.adjacency()[v * 8 + c]).as("row %d col %d", v, c).isEqualTo(want[v][c]);
            }
        }
        assertThat(java.util.Arrays.copyOfRange(g.alias(), 2, 7)).containsExactly(1, 2, 3, 2, 0);
        // 1, 2, 1, 2: nodes 1, 2; edge 1->2 (twice, counted once), 2->1
        float[][] want2 = {{0, 1, 0, 0, 0, 1, 0, 0}, {1, 0, 0, 0, 1, 0, 0, 0}}; // N = 4 columns each: in, then out
        for (int v = 0; v < 2; v++) {
            for (int c = 0; c < 8; c++) {
                assertThat(g.adjacency()[(4 + v) * 8 + c]).as("second row %d col %d", v, c).isEqualTo(want2[v][c]);
            }
        }
    }

    @Test
    void theRepresentationDependsOnTheHistoryNotOnItsPadding() {
        Engine.getInstance().setRandomSeed(2);
        try (NDManager m = NDManager.newBaseManager()) {
            NeuralSeqModel short8 = new SrGnn.Spec().build(m, 20, Map.of("hidden", 8, "max_len", 8));
            long[] a = {0, 0, 0, 4, 6, 4, 9, 2};
            long[] cropped = {4, 6, 4, 9, 2};
            float[] x = short8.encodeLast(short8.params().bind(m), m.create(a, new Shape(1, 8)), false).toFloatArray();
            float[] y = short8.encodeLast(short8.params().bind(m), m.create(cropped, new Shape(1, 5)), false).toFloatArray();
            assertThat(y).containsExactly(x, Offset.offset(1e-6f));
            long[] swapped = {0, 0, 0, 6, 4, 4, 9, 2};
            float[] z = short8.encodeLast(short8.params().bind(m), m.create(swapped, new Shape(1, 8)), false).toFloatArray();
            double diff = 0;
            for (int i = 0; i < x.length; i++) {
                diff = Math.max(diff, Math.abs(z[i] - x[i]));
            }
            assertThat(diff).as("another order, another graph").isGreaterThan(1e-4);
        }
    }
}
