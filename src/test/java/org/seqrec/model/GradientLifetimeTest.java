package org.seqrec.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.seqrec.model.zoo.ModelRegistry;
import org.seqrec.train.PrefixCeRegime;
import org.seqrec.train.Training;

/**
 * The backward pass reads nothing the Java side has already freed: the gradient of a batch is the
 * same whether or not the garbage collector runs between the forward and the backward pass and the
 * freed memory is reused (here: filled with 1e30). This caught DJL's {@code NDArray.mul/div(Number)}
 * scalars, which autograd keeps but Java frees (see {@code Nn.scale}); the bytecode check in
 * {@code EngineSafetyTest} forbids those calls, this one catches any other op with the same flaw.
 */
class GradientLifetimeTest {
    static java.util.stream.Stream<String> neuralModels() {
        return ModelContractTest.neuralModels();
    }

    @ParameterizedTest
    @MethodSource("neuralModels")
    void gradientsDoNotDependOnTheGarbageCollector(String name) {
        NeuralSpec spec = (NeuralSpec) ModelRegistry.get(name);
        Map<String, Object> params = new LinkedHashMap<>(Training.defaults(spec));
        params.putAll(ModelContractTest.small(name, 1));
        params.replaceAll((k, v) -> k.contains("dropout") || k.equals("drop_path") ? 0.0 : v); // a deterministic pass
        try (NDManager base = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            NeuralSeqModel model = spec.build(base, 30, params);
            int len = model.maxLen();
            long[] ids = new long[6 * len];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = i % len < i / len ? 0 : 1 + (i * 7) % 30; // rows of different lengths, left-padded
            }
            long[] targets = {3, 9, 14, 21, 27, 30};
            Map<String, float[]> quiet = gradients(model, ids, targets, len, false);
            Map<String, float[]> collected = gradients(model, ids, targets, len, true);
            for (Map.Entry<String, float[]> e : quiet.entrySet()) {
                assertThat(collected.get(e.getKey())).as("%s: %s", name, e.getKey()).containsExactly(e.getValue(),
                        org.assertj.core.data.Offset.offset(1e-6f));
            }
        }
    }

    static Map<String, float[]> gradients(NeuralSeqModel model, long[] ids, long[] targets, int len, boolean collect) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                var p = model.params().bind(m);
                NDArray x = m.create(ids, new Shape(targets.length, len));
                NDArray loss = PrefixCeRegime.crossEntropy(model, p, model.encodeLast(p, x, true), m.create(targets));
                if (collect) {
                    pressure();
                }
                gc.backward(loss);
            }
            for (Map.Entry<String, NDArray> e : model.params().all().entrySet()) {
                if (e.getValue().hasGradient()) {
                    out.put(e.getKey(), e.getValue().getGradient().toFloatArray());
                    e.getValue().getGradient().set(new float[(int) e.getValue().size()]);
                }
            }
        }
        return out;
    }

    /** Collects garbage (freeing unreachable direct buffers), then fills fresh direct memory with 1e30. */
    static void pressure() {
        List<ByteBuffer> keep = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            System.gc();
            for (int i = 0; i < 2000; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(64).order(ByteOrder.nativeOrder());
                while (b.remaining() >= 4) {
                    b.putFloat(1e30f);
                }
                keep.add(b);
            }
        }
        java.lang.ref.Reference.reachabilityFence(keep); // the buffers stay allocated until here (was an assertion that could not fail)
    }
}
