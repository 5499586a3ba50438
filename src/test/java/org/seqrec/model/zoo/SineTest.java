package org.seqrec.model.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.seqrec.nn.Params;

/**
 * SINE: sparse interests. Each history activates exactly K of the P prototypes, and only those: the
 * gradient of the user representations reaches exactly the activated rows of the prototype table. The
 * representation is a convex combination of unit-norm interests (norm at most 1), and padding takes no part.
 */
class SineTest {
    static final long[][] HISTORIES = {{0, 0, 0, 5, 9, 2, 2, 7}, {0, 0, 0, 0, 0, 0, 1, 30}, {3, 4, 5, 6, 7, 8, 9, 10}, {0, 0, 0, 0, 12, 12, 12, 12}};

    @Test
    void onlyTheKActivatedPrototypesShapeTheUser() {
        Engine.getInstance().setRandomSeed(3);
        try (NDManager m = NDManager.newBaseManager()) {
            Sine model = (Sine) new Sine.Spec().build(m, 30, Map.of("hidden", 16, "max_len", 8, "prototypes", 12, "interests", 3));
            NDArray ids = m.create(flat(HISTORIES), new Shape(HISTORIES.length, 8));
            long[] active = model.activated(model.params().bind(m), ids).toLongArray();
            Set<Integer> union = new HashSet<>();
            for (int b = 0; b < HISTORIES.length; b++) {
                Set<Integer> row = new HashSet<>();
                for (int k = 0; k < 3; k++) {
                    row.add((int) active[b * 3 + k]);
                }
                assertThat(row).as("history %d activates 3 distinct prototypes", b).hasSize(3);
                union.addAll(row);
            }
            assertThat(union.size()).as("the batch leaves some prototypes idle").isLessThan(12);
            NDArray table = model.params().get("C");
            NDArray rep;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                Params.Bound p = model.params().bind(m);
                rep = model.encodeLast(p, ids, false);
                gc.backward(rep.sum());
            }
            float[] grad = table.getGradient().toFloatArray();
            for (int row = 0; row < 12; row++) {
                double norm = 0;
                for (int j = 0; j < 16; j++) {
                    norm += Math.abs(grad[row * 16 + j]);
                }
                if (union.contains(row)) {
                    assertThat(norm).as("activated prototype %d", row).isGreaterThan(0);
                } else {
                    assertThat(norm).as("idle prototype %d", row).isZero();
                }
            }
            // a convex combination of unit vectors
            float[] r = rep.toFloatArray();
            for (int b = 0; b < HISTORIES.length; b++) {
                double sq = 0;
                for (int j = 0; j < 16; j++) {
                    sq += r[b * 16 + j] * r[b * 16 + j];
                }
                assertThat(Math.sqrt(sq)).isLessThanOrEqualTo(1 + 1e-5).isGreaterThan(0);
            }
        }
    }

    @Test
    void paddingTakesNoPart() {
        Engine.getInstance().setRandomSeed(4);
        try (NDManager m = NDManager.newBaseManager()) {
            Sine model = (Sine) new Sine.Spec().build(m, 30, Map.of("hidden", 16, "max_len", 8));
            Params.Bound p = model.params().bind(m);
            // the same history, with 5 and with 0 padded positions in front (SINE has no position embeddings)
            float[] padded = model.encodeLast(p, m.create(new long[] {0, 0, 0, 0, 0, 5, 9, 2}, new Shape(1, 8)), false).toFloatArray();
            float[] bare = model.encodeLast(p, m.create(new long[] {5, 9, 2}, new Shape(1, 3)), false).toFloatArray();
            assertThat(padded).containsExactly(bare, Offset.offset(1e-6f));
        }
    }

    private static long[] flat(long[][] rows) {
        long[] out = new long[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, out, i * rows[0].length, rows[0].length);
        }
        return out;
    }
}
