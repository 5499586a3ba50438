package org.seqrec.model.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.seqrec.data.SplitMix64;
import org.seqrec.model.HistoryBatch;
import org.seqrec.model.MetaFormerModel;
import org.seqrec.model.zoo.ConvFormer.ConvImpl;
import org.seqrec.model.zoo.ConvFormer.Padding;
import org.seqrec.nn.MetaFormerBlock;
import org.seqrec.nn.Params;

/** One LighTCN block against finite differences, and model shapes at the kernel-size extremes. */
class MetaFormerBlockTest {
    static NDManager manager;

    @BeforeAll
    static void init() {
        manager = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(3);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** loss(x) = sum(block(x) ⊙ r), evaluated in float64 without gradient. */
    private static double loss(MetaFormerBlock block, Params params, NDArray x, NDArray mask, NDArray r) {
        try (NDManager m = manager.newSubManager()) {
            return block.forward(params.bind(m), x, mask, false, false).mul(r).sum().toType(DataType.FLOAT64, false)
                    .getDouble();
        }
    }

    @Test
    void blockGradientMatchesFiniteDifferences() {
        int d = 4;
        int len = 6;
        try (NDManager m = manager.newSubManager()) {
            Params params = new Params(m);
            MetaFormerBlock block = new MetaFormerBlock(params, "b", d, 0f,
                    (p, name) -> new ConvFormer.DepthwiseConv(p, name, d, 3, Padding.CIRCULAR, len, ConvImpl.CONV1D));
            // float64 throughout so that central differences are accurate
            Params p64 = params.toFloat64();
            NDArray x = m.randomNormal(new Shape(2, len, d)).toType(DataType.FLOAT64, false);
            NDArray mask = m.ones(new Shape(2, len), DataType.FLOAT64);
            NDArray r = m.randomNormal(new Shape(2, len, d)).toType(DataType.FLOAT64, false);
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = block.forward(p64.bind(m), x, mask, true, false).mul(r).sum();
                gc.backward(y);
            }
            SplitMix64 rng = new SplitMix64(1);
            double eps = 1e-6;
            // every weight tensor, a few elements each, plus the input
            Map<String, NDArray> targets = new LinkedHashMap<>(p64.all());
            targets.put("input", x);
            for (Map.Entry<String, NDArray> e : targets.entrySet()) {
                NDArray w = e.getValue();
                double[] analytic = w.getGradient().toDoubleArray();
                double[] values = w.toDoubleArray();
                for (int probe = 0; probe < 3; probe++) {
                    int i = rng.nextInt(values.length);
                    double orig = values[i];
                    values[i] = orig + eps;
                    w.set(values);
                    double up = loss(block, p64, x, mask, r);
                    values[i] = orig - eps;
                    w.set(values);
                    double down = loss(block, p64, x, mask, r);
                    values[i] = orig;
                    w.set(values);
                    double numeric = (up - down) / (2 * eps);
                    assertThat(analytic[i]).as("%s[%d]", e.getKey(), i)
                            .isCloseTo(numeric, org.assertj.core.api.Assertions.within(1e-6 + 1e-4 * Math.abs(numeric)));
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"convformer, 1, circular", "convformer, 10, circular", "convformer, 10, zero", "convformer, 10, reflect",
        "convformer-f, 1, circular", "convformer-f, 10, circular", "conv-v, 1, zero", "conv-v, 10, circular",
        "conv-s, 1, reflect", "conv-s, 10, circular"})
    void shapesAtKernelExtremes(String model, int k, String padding) {
        int len = 10;
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("hidden", 8);
        params.put("max_len", len);
        params.put("kernel", k);
        params.put("padding", padding);
        ConvFormer.Variant v = ConvFormer.Variant.valueOf(model.toUpperCase().replace('-', '_'));
        try (NDManager m = manager.newSubManager()) {
            MetaFormerModel net = ConvFormer.build(v, m, 30, params);
            HistoryBatch batch = HistoryBatch.ofHistories(new int[][] {{1, 2, 3}, {}, {4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}});
            NDArray all = net.encodeAll(net.params().bind(m), batch.paddedInputs(m, len), false);
            assertThat(all.getShape()).isEqualTo(new Shape(3, len, 8));
            NDArray last = net.encodeLast(net.params().bind(m), batch.paddedInputs(m, len), false);
            assertThat(last.getShape()).isEqualTo(new Shape(3, 8));
            // the last-position shortcut gives the last row of the full computation
            ConvFormerMixerTest.assertClose(last, all.get(":, -1, :"), 1e-5f);
            assertThat(net.scoreAll(batch, m).getShape()).isEqualTo(new Shape(3, 31));
            NDArray cand = m.create(new long[] {1, 2, 3, 4, 5, 6}, new Shape(3, 2));
            assertThat(net.scoreCandidates(batch, cand, m).getShape()).isEqualTo(new Shape(3, 2));
        }
    }

    @Test
    void invalidKernelsAreRejected() {
        Map<String, Object> params = new LinkedHashMap<>(Map.of("hidden", 8, "max_len", 10, "kernel", 11));
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> ConvFormer.build(ConvFormer.Variant.CONVFORMER, manager, 30, params)).hasMessageContaining("1..L");
        params.put("kernel", 0);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> ConvFormer.build(ConvFormer.Variant.CONVFORMER, manager, 30, params)).hasMessageContaining("1..L");
        params.put("kernel", 5);
        params.put("padding", "mirror");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> ConvFormer.build(ConvFormer.Variant.CONVFORMER, manager, 30, params)).hasMessageContaining("unknown padding");
        params.put("padding", "zero");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> ConvFormer.build(ConvFormer.Variant.CONVFORMER_F, manager, 30, params)).hasMessageContaining("circular");
    }
}
