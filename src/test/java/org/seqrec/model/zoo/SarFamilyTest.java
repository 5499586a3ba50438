package org.seqrec.model.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.data.DataSource;
import org.seqrec.data.Dataset;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.eval.Evaluator;
import org.seqrec.eval.Protocol;
import org.seqrec.model.MetaFormerModel;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.nn.Params;
import org.seqrec.nn.SelfAttention;
import org.seqrec.run.RunDir;
import org.seqrec.run.Runs;
import org.seqrec.run.TrainRequest;
import org.seqrec.testutil.Synthetic;
import org.seqrec.train.PrefixRegime;
import org.seqrec.train.TrainContext;
import org.seqrec.train.Trainer;
import org.seqrec.train.Training;
import org.seqrec.util.Json;
import org.seqrec.util.Progress;
import org.seqrec.util.SeqrecException;

/** The SAR family and FMLP-Rec: masks, frozen weights, the filter, and order sensitivity. */
class SarFamilyTest {
    static NDManager manager;
    @TempDir Path dir;

    @BeforeAll
    static void init() {
        manager = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(11);
        Progress.setEnabled(false);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** Two sequences of length 6: the first has 2 padded positions, the second none. */
    private static NDArray mask(NDManager m) {
        return m.create(new float[] {0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, new Shape(2, 6));
    }

    private static float[][] rows(NDArray weights, int b) {
        long len = weights.getShape().get(weights.getShape().dimension() - 1);
        float[] all = weights.toFloatArray();
        float[][] out = new float[(int) len][(int) len];
        for (int i = 0; i < len; i++) {
            System.arraycopy(all, (int) ((b * len + i) * len), out[i], 0, (int) len);
        }
        return out;
    }

    @Test
    void selfAttentionGivesNoWeightToPaddingAndHonoursWindowAndCausalMasks() {
        try (NDManager m = manager.newSubManager()) {
            Params params = new Params(m);
            NDArray x = m.randomNormal(new Shape(2, 6, 8));
            NDArray mask = mask(m);
            SelfAttention plain = new SelfAttention(params, "a", 8, 1, 0f, false, 0);
            SelfAttention window = new SelfAttention(params, "w", 8, 1, 0f, false, 2);
            SelfAttention causal = new SelfAttention(params, "c", 8, 2, 0f, true, 0);
            Params.Bound p = params.bind(m);
            float[][] a = rows(plain.attentionWeights(p, x, mask), 0);
            float[][] w = rows(window.attentionWeights(p, x, mask), 1);
            float[][] c = rows(causal.attentionWeights(p, x, mask).get(":, 1"), 1);
            for (int i = 0; i < 6; i++) {
                assertThat(a[i][0]).isZero();
                assertThat(a[i][1]).isZero();
                for (int j = 0; j < 6; j++) {
                    // exactly |i - j| <= K keeps weight
                    if (Math.abs(i - j) <= 2) {
                        assertThat(w[i][j]).as("window (%d, %d)", i, j).isPositive();
                    } else {
                        assertThat(w[i][j]).as("window (%d, %d)", i, j).isZero();
                    }
                    if (j > i) {
                        assertThat(c[i][j]).as("causal (%d, %d)", i, j).isZero();
                    } else {
                        assertThat(c[i][j]).isPositive();
                    }
                }
            }
        }
    }

    @Test
    void orderMatrixVariantsGiveNoWeightToPadding() {
        try (NDManager m = manager.newSubManager()) {
            Params params = new Params(m);
            NDArray x = m.randomNormal(new Shape(2, 6, 8));
            Sar.MatrixMixer o = new Sar.OrderMixer(params, "o", 8, 6, 0f, true, 0.02f);
            Sar.MatrixMixer pers = new Sar.PersonalMixer(params, "p", 8, 6, 0f);
            for (Sar.MatrixMixer mixer : new Sar.MatrixMixer[] {o, pers}) {
                float[][] a = rows(mixer.weights(params.bind(m), x, mask(m), 6), 0);
                for (float[] row : a) {
                    assertThat(row[0]).isZero();
                    assertThat(row[1]).isZero();
                    assertThat(row[2] + row[3] + row[4] + row[5]).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
                }
            }
            // SAR-P's rows depend on the input, SAR-O's do not
            NDArray y = m.randomNormal(new Shape(2, 6, 8));
            NDArray one = m.ones(new Shape(2, 6));
            assertThat(o.weights(params.bind(m), x, one, 6).toFloatArray()).containsExactly(o.weights(params.bind(m), y, one, 6).toFloatArray());
            assertThat(pers.weights(params.bind(m), x, one, 6).toFloatArray()).isNotEqualTo(pers.weights(params.bind(m), y, one, 6).toFloatArray());
        }
    }

    @Test
    void sarRMatrixStaysFrozenWhileSarOLearnsIts() {
        LeaveOneOut split = new LeaveOneOut(Synthetic.repeatedCycles(80, 30, 4, 6, 10, 2));
        for (String name : new String[] {"sar-o", "sar-r"}) {
            Map<String, Object> params = new LinkedHashMap<>(Training.defaults(ModelRegistry.get(name)));
            params.putAll(Map.of("hidden", 16, "max_len", 8, "epochs", 2, "batch", 64, "lr", 1e-2));
            try (NDManager m = manager.newSubManager()) {
                NeuralSeqModel model = ((NeuralSpec) ModelRegistry.get(name)).build(m, split.data().numItems(), params);
                String key = "blocks.0.mixer.order";
                float[] before = model.params().get(key).toFloatArray();
                TrainContext ctx = new TrainContext(split, params, 3, m, new RunDir(dir.resolve(name)).trainFiles(), new Evaluator(split, Protocol.FULL, null, 64), false);
                new Trainer(ctx).fit(model, new PrefixRegime());
                float[] after = model.params().get(key).toFloatArray();
                if (name.equals("sar-r")) {
                    assertThat(model.params().isTrainable(key)).isFalse();
                    assertThat(after).containsExactly(before);
                } else {
                    assertThat(after).isNotEqualTo(before);
                }
            }
        }
    }

    @Test
    void sarOnlyOptionsAreRejectedElsewhere() {
        Map<String, Object> params = new LinkedHashMap<>(Training.defaults(ModelRegistry.get("sar-o")));
        params.put("window", 3);
        try (NDManager m = manager.newSubManager()) {
            assertThatThrownBy(() -> Sar.build(Sar.Variant.SAR_O, m, 10, params)).isInstanceOf(SeqrecException.class)
                    .hasMessageContaining("--window");
        }
    }

    @Test
    void fmlpFilterEqualsTheComplexProductItStandsFor() {
        for (int len : new int[] {6, 7}) {
            try (NDManager m = manager.newSubManager()) {
                Params params = new Params(m);
                FmlpRec.FilterMixer f = new FmlpRec.FilterMixer(params, "f", 3, len);
                NDArray x = m.randomNormal(new Shape(2, len, 3));
                float[] ours = f.mix(params.bind(m), x, null, false).toFloatArray();
                JniUtils.setGradMode(false);
                try {
                    NDArray t = params.get("f.filter").transpose(1, 2, 0); // [F, D, 2] for the complex view
                    NDArray w = m.create(t.toFloatArray(), t.getShape());
                    float[] direct = x.rfft(len, 1).mul(w.complex()).irfft(len, 1).toFloatArray();
                    assertThat(ours).containsExactly(direct, org.assertj.core.data.Offset.offset(1e-5f));
                } finally {
                    JniUtils.setGradMode(true);
                }
            }
        }
    }

    private double testMrr(String model, Path data, Map<String, Object> extra) {
        Map<String, Object> p = new LinkedHashMap<>(Map.of("hidden", 32, "max_len", 16, "dropout", 0.1, "lr", 5e-3,
                "batch", 128));
        if (Training.defaults(ModelRegistry.get(model)).containsKey("attn_dropout")) {
            p.put("attn_dropout", 0.1);
        }
        p.putAll(extra);
        Path run = dir.resolve(model + "-" + p.get("epochs"));
        Runs.train(TrainRequest.builder(model, DataSource.fmlp(data), run).params(p).seed(3).build());
        return Json.read(run.resolve("results-full.json")).path("test").path("MRR").asDouble();
    }

    @Test
    void anOrderSensitiveVariantBeatsAnOrderBlindMixer() {
        Dataset d = Synthetic.repeatedCycles(300, 50, 6, 10, 16, 11);
        Path data = dir.resolve("chains.txt");
        d.writeFmlp(data);
        Map<String, Object> longer = Map.of("epochs", 20, "patience", 20);
        double blind = testMrr("meanpool", data, longer);
        double sarO = testMrr("sar-o", data, longer);
        // SAR-O ends about 0.29 above the control (0.67) after 20 epochs. SAR-R is not tested here: its
        // frozen N(0, 0.02) matrix is nearly uniform, order reaches it only through the position
        // embeddings, and on this data its margin over the control is not a property of the model but
        // of the random draws: -0.045, +0.039, +0.016 (seeds 4, 5, 3, host dropout masks) and -0.015,
        // +0.002, +0.10 (the engine's uniform masks). Its defining property, the frozen matrix, is
        // sarRMatrixStaysFrozenWhileSarOLearnsIts.
        assertThat(sarO).as("SAR-O MRR vs meanpool %.3f", blind).isGreaterThan(blind + 0.1);
    }

    /** A meta-former model (a SAR variant, FastFormer ...) at L 8, D 16 with the given extra params; the same weights for the same seed. */
    private static MetaFormerModel sar(NDManager m, String variant, Object... kv) {
        NeuralSpec spec = (NeuralSpec) ModelRegistry.get(variant);
        Map<String, Object> p = new LinkedHashMap<>(Training.defaults(spec));
        p.put("hidden", 16);
        p.put("max_len", 8);
        for (int i = 0; i < kv.length; i += 2) {
            p.put((String) kv[i], kv[i + 1]);
        }
        Engine.getInstance().setRandomSeed(11);
        return (MetaFormerModel) spec.build(m, 40, p);
    }

    /**
     * Encoding rows in length groups cropped to their longest row gives the full-width states and the
     * full-width gradient of every weight, for each SAR variant whose mixer allows it; the batch has an
     * empty history (kept at full width) and rows of every length.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"sar", "sar-o", "sar-p", "sar-r", "sar-w", "sar-n", "sar window=2",
        "fastformer", "poolingformer local=4", "poolingformer local=4 pool=3", "poolingformer local=3 local_mode=conv"})
    void lengthGroupsGiveTheFullWidthStatesAndGradients(String variant) {
        String[] words = variant.split(" ");
        String name = words[0];
        Object[] extra = new Object[2 * (words.length - 1)];
        for (int i = 1; i < words.length; i++) {
            extra[2 * i - 2] = words[i].split("=")[0];
            String value = words[i].split("=")[1];
            extra[2 * i - 1] = value.matches("-?\\d+") ? (Object) Integer.valueOf(value) : value;
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray ids = RecGrelaTest.mixedLengths(m);
            MetaFormerModel grouped = sar(m, name, extra);
            Object[] off = java.util.Arrays.copyOf(extra, extra.length + 2);
            off[extra.length] = "length_groups";
            off[extra.length + 1] = false;
            MetaFormerModel full = sar(m, name, off);
            assertThat(grouped.useLengthGroups(org.seqrec.nn.LengthGroups.DEFAULT_OVERHEAD)).isTrue();
            assertThat(grouped.useLengthGroups(0)).isTrue(); // a group per distinct length: the most cropping
            NDArray a = grouped.encodeLast(grouped.params().bind(m), ids, false);
            NDArray b = full.encodeLast(full.params().bind(m), ids, false);
            assertThat(a.getShape()).isEqualTo(new Shape(12, 16));
            assertThat(a.sub(b).abs().max().getFloat()).isLessThan(1e-5f * Math.max(1f, b.abs().max().getFloat()));
            Engine.getInstance().setRandomSeed(3);
            NDArray r = m.randomNormal(new Shape(12, 16));
            org.seqrec.testutil.Gradients.assertSame(org.seqrec.testutil.Gradients.ofWeightedLast(grouped, m, ids, r),
                    org.seqrec.testutil.Gradients.ofWeightedLast(full, m, ids, r));
        }
    }

    /**
     * An all-padding row is kept at full width (its output depends on every padded position), and
     * PoolingFormer's crops remove whole pooling windows.
     */
    @Test
    void cropWidthsKeepEmptyHistoriesWholeAndPoolingWindowsAligned() {
        try (NDManager m = NDManager.newBaseManager()) {
            MetaFormerModel sar = sar(m, "sar");
            assertThat(sar.cropOf(0, 8)).isEqualTo(8);
            assertThat(sar.cropOf(3, 8)).isEqualTo(3);
            MetaFormerModel pooling = sar(m, "poolingformer", "local", 4, "pool", 3);
            assertThat(pooling.useLengthGroups(0)).isTrue();
            assertThat(new int[] {pooling.cropOf(0, 8), pooling.cropOf(1, 8), pooling.cropOf(2, 8), pooling.cropOf(3, 8),
                pooling.cropOf(5, 8), pooling.cropOf(6, 8), pooling.cropOf(8, 8)}).containsExactly(8, 2, 2, 5, 5, 8, 8);
        }
        long[] ids = {0, 0, 0, 0, 0, 0, 3, 4, 0, 0, 0, 0};
        assertThat(org.seqrec.nn.LengthGroups.lengths(ids, 3, 4)).containsExactly(1, 2, 1);
    }

    /** Mixers that see the padding from real positions do not crop: SAR-N+'s map of the whole window, ConvFormer, FMLP-Rec. */
    @Test
    void mixersThatSeeThePaddingAreNeverCropped() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertThat(sar(m, "sar-n-plus").useLengthGroups(0)).isFalse();
            for (String other : new String[] {"convformer", "fmlp-rec"}) {
                NeuralSpec spec = (NeuralSpec) ModelRegistry.get(other);
                Map<String, Object> p = new LinkedHashMap<>(Training.defaults(spec));
                p.put("hidden", 16);
                p.put("max_len", 8);
                if (p.containsKey("kernel")) {
                    p.put("kernel", 3);
                }
                NeuralSeqModel model = spec.build(m, 40, p);
                assertThat(model).isInstanceOf(MetaFormerModel.class);
                assertThat(((MetaFormerModel) model).useLengthGroups(0)).as(other).isFalse();
            }
        }
    }
}
