package org.seqrec.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.seqrec.nn.Params;

/** Adam's update restricted to some weights (CLEA's phases): the rest keep their values and lose their gradients. */
class AdamTest {
    @Test
    void aStepChangesOnlyTheWeightsItIsGiven() {
        try (NDManager m = NDManager.newBaseManager()) {
            Params params = new Params(m);
            String a = params.values("a", m.create(new float[] {1f, -2f, 3f}));
            String b = params.values("b", m.create(new float[] {0.5f, 0.25f}));
            Adam adam = new Adam(params, 0.1f, 0f);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                Params.Bound p = params.bind(m);
                // d/da = (2, -1, 4) · 1, d/db = (3, 3)
                gc.backward(p.get(a).mul(m.create(new float[] {2f, -1f, 4f})).sum().add(p.get(b).sum().mul(m.create(3f))));
            }
            adam.step(w -> w.equals(a));
            // Adam's first step moves each weight by lr · sign(gradient) (m/√v = g/|g| after bias correction), up to ε
            assertThat(params.get(a).toFloatArray()).containsExactly(new float[] {0.9f, -1.9f, 2.9f}, Offset.offset(1e-5f));
            assertThat(params.get(b).toFloatArray()).as("not given: unchanged").containsExactly(0.5f, 0.25f);
            assertThat(params.get(b).getGradient().toFloatArray()).as("its gradient zeroed all the same").containsOnly(0f);
            assertThat(params.get(a).getGradient().toFloatArray()).containsOnly(0f);
        }
    }
}
