package org.seqrec.model.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.seqrec.nn.Params;
import org.seqrec.nn.Rope;
import org.seqrec.testutil.Gradients;
import org.seqrec.train.Training;

/** RecGRELA's pieces: RoPE, the linear attention against its quadratic form, the causal shortcut, padding, order. */
class RecGrelaTest {
    static final int L = 8;
    static final int D = 16;

    static RecGrela build(NDManager m, Object... kv) {
        Map<String, Object> p = new LinkedHashMap<>(Training.defaults(new RecGrela.Spec()));
        p.put("hidden", D);
        p.put("max_len", L);
        p.put("layers", 2);
        for (int i = 0; i < kv.length; i += 2) {
            p.put((String) kv[i], kv[i + 1]);
        }
        Engine.getInstance().setRandomSeed(11);
        return (RecGrela) new RecGrela.Spec().build(m, 40, p);
    }

    @Test
    void ropeDotProductsDependOnlyOnTheOffset() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(2);
            NDArray a = m.randomNormal(new Shape(D));
            NDArray b = m.randomNormal(new Shape(D));
            int len = 12;
            NDArray ra = Rope.apply(a.reshape(1, 1, D).broadcast(1, len, D)).squeeze(0); // a at every position
            NDArray rb = Rope.apply(b.reshape(1, 1, D).broadcast(1, len, D)).squeeze(0);
            NDArray dots = ra.matMul(rb.transpose()); // [p, p']: a at p, b at p'
            for (int offset = -3; offset <= 3; offset++) {
                float first = dots.getFloat(4, 4 + offset);
                for (int p = Math.max(0, -offset); p < len && p + offset < len; p++) {
                    assertThat(dots.getFloat(p, p + offset)).as("p %d, offset %d", p, offset).isCloseTo(first,
                            org.assertj.core.data.Offset.offset(1e-4f));
                }
            }
            // and rotation keeps norms
            for (float n : ra.norm(new int[] {1}).toFloatArray()) {
                assertThat(n).isCloseTo(a.norm().getFloat(), org.assertj.core.data.Offset.offset(1e-4f));
            }
        }
    }

    /** The linear form (q_r (k_r^T v) / L) ⊙ z equals the explicit L×L form with the same kernels. */
    @Test
    void linearAttentionEqualsTheExplicitQuadraticForm() {
        try (NDManager m = NDManager.newBaseManager()) {
            RecGrela model = build(m, "shortcut", false, "heads", 1);
            Params.Bound p = model.params().bind(m);
            NDArray x = m.randomNormal(new Shape(1, L, D));
            NDArray keep = m.create(new float[] {0, 0, 1, 1, 1, 1, 1, 1}, new Shape(1, L, 1));
            NDArray actual = model.firstRela(p, x, keep).squeeze(0); // [L, D]
            NDArray q = Activation.elu(lin(p, "blocks.0.rela.q", x), 1f).add(1f).squeeze(0);
            NDArray k = Activation.elu(lin(p, "blocks.0.rela.k", x), 1f).add(1f).mul(keep).squeeze(0);
            NDArray v = x.mul(keep).squeeze(0);
            NDArray qr = Rope.apply(q.expandDims(0)).squeeze(0);
            NDArray kr = Rope.apply(k.expandDims(0)).squeeze(0);
            NDArray scores = qr.matMul(kr.transpose()).div((float) L); // [L, L]: (q_r,i . k_r,j) / L
            NDArray z = q.matMul(k.mean(new int[] {0}, true).transpose()).add(1e-6f).pow(-1f); // [L, 1]
            NDArray expected = scores.matMul(v).mul(z);
            // at the real positions (padded queries are never read)
            assertThat(actual.get(new NDIndex("2:, :")).sub(expected.get(new NDIndex("2:, :"))).abs().max().getFloat()).isLessThan(1e-4f);
        }
    }

    static NDArray lin(Params.Bound p, String name, NDArray x) {
        return org.seqrec.nn.Nn.linear(x, p.get(name + ".weight"), p.get(name + ".bias"));
    }

    @Test
    void paddedPositionsAddNothing() {
        try (NDManager m = NDManager.newBaseManager()) {
            RecGrela model = build(m);
            Params.Bound p = model.params().bind(m);
            NDArray keep = m.create(new float[] {0, 0, 0, 1, 1, 1, 1, 1}, new Shape(1, L, 1));
            NDArray x = m.randomNormal(new Shape(1, L, D));
            NDArray garbage = x.add(m.randomNormal(new Shape(1, L, D)).mul(keep.neg().add(1f)).mul(50f)); // padded rows changed
            NDArray a = model.firstRela(p, x, keep).get(new NDIndex(":, 3:, :"));
            NDArray b = model.firstRela(p, garbage, keep).get(new NDIndex(":, 3:, :"));
            assertThat(a.sub(b).abs().max().getFloat()).isLessThan(1e-5f);
        }
    }

    @Test
    void theLocalShortcutSeesNoFutureStep() {
        try (NDManager m = NDManager.newBaseManager()) {
            RecGrela model = build(m);
            Params.Bound p = model.params().bind(m);
            NDArray v = m.randomNormal(new Shape(1, L, D));
            NDArray base = model.firstShortcut(p, v);
            for (int t = 0; t < L - 1; t++) {
                NDArray changed = v.duplicate();
                changed.set(new NDIndex(":, {}:, :", t + 1), m.randomNormal(new Shape(1, L - t - 1, D)));
                NDArray out = model.firstShortcut(p, changed);
                assertThat(out.get(new NDIndex(":, :{}, :", t + 1)).sub(base.get(new NDIndex(":, :{}, :", t + 1))).abs().max()
                        .getFloat()).as("t %d", t).isEqualTo(0f);
            }
            // and it does read the 3 steps before
            NDArray changed = v.duplicate();
            changed.set(new NDIndex(":, 4, :"), m.randomNormal(new Shape(1, D)));
            assertThat(model.firstShortcut(p, changed).get(new NDIndex(":, 7, :")).sub(base.get(new NDIndex(":, 7, :"))).abs().max()
                    .getFloat()).isGreaterThan(0f);
        }
    }

    /** Without RoPE and shortcut the last state ignores the order of the earlier items; each restores order sensitivity. */
    @Test
    void withoutRopeOnlyTheShortcutSeesOrder() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray h1 = m.create(new long[] {0, 0, 5, 9, 14, 21, 30, 7}, new Shape(1, L));
            NDArray h2 = m.create(new long[] {0, 0, 30, 14, 21, 9, 5, 7}, new Shape(1, L)); // same items, same last
            float blind = difference(build(m, "rope", false, "shortcut", false), h1, h2, m);
            float rope = difference(build(m, "rope", true, "shortcut", false), h1, h2, m);
            float shortcut = difference(build(m, "rope", false, "shortcut", true), h1, h2, m);
            assertThat(blind).as("float rounding only").isLessThan(1e-6f);
            // small at initialisation (weights N(0, 0.02)), but far above rounding
            assertThat(rope).as("with RoPE").isGreaterThan(Math.max(1e-6f, 20 * blind));
            assertThat(shortcut).as("with the shortcut").isGreaterThan(Math.max(1e-6f, 20 * blind));
        }
    }

    static float difference(RecGrela model, NDArray a, NDArray b, NDManager m) {
        Params.Bound p = model.params().bind(m);
        return model.encodeLast(p, a, false).sub(model.encodeLast(p, b, false)).abs().max().getFloat();
    }

    @Test
    void ablationsChangeTheWeights() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertThat(build(m, "gate", false).params().all().keySet()).noneMatch(k -> k.contains(".gate."))
                    .anyMatch(k -> k.contains(".rela.v."));
            assertThat(build(m, "shortcut", false).params().all().keySet()).noneMatch(k -> k.contains(".conv."));
            assertThat(build(m).params().all().keySet()).noneMatch(k -> k.contains("pos_emb"));
        }
    }

    /** Rows of lengths 1..L (and an all-padding one) in a random order, left-padded to L. */
    static NDArray mixedLengths(NDManager m) {
        int[] lengths = {3, L, 1, 5, 0, 2, L, 7, 4, 1, 6, 3};
        long[] ids = new long[lengths.length * L];
        org.seqrec.data.SplitMix64 rng = new org.seqrec.data.SplitMix64(5);
        for (int r = 0; r < lengths.length; r++) {
            for (int j = L - lengths[r]; j < L; j++) {
                ids[r * L + j] = 1 + rng.nextInt(39);
            }
        }
        return m.create(ids, new Shape(lengths.length, L));
    }

    /**
     * The grouped model's group overhead: 0, so that this 12-row batch is really split into narrower,
     * cropped groups (with the default overhead of 256 it stays one full-width group and both sides would
     * run the same code).
     */
    static final int OVERHEAD = 0;

    /** Encoding rows in length groups, each cropped to its longest row, gives the full-width states. */
    @Test
    void lengthGroupsGiveTheFullWidthStates() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray ids = mixedLengths(m);
            RecGrela grouped = build(m, "group_overhead", OVERHEAD);
            RecGrela full = build(m, "length_groups", false);
            NDArray a = grouped.encodeLast(grouped.params().bind(m), ids, false);
            NDArray b = full.encodeLast(full.params().bind(m), ids, false);
            assertThat(a.getShape()).isEqualTo(new Shape(12, D));
            assertThat(a.sub(b).abs().max().getFloat()).isLessThan(1e-5f * Math.max(1f, b.abs().max().getFloat()));
            // the plan the grouped model makes (its own overhead) really crops: groups narrower than L exist
            java.util.List<org.seqrec.nn.LengthGroups.Group> plan = org.seqrec.nn.LengthGroups.plan(
                    org.seqrec.nn.LengthGroups.lengths(ids.toLongArray(), 12, L), OVERHEAD);
            assertThat(plan).hasSizeGreaterThan(1).anyMatch(g -> g.crop() < L);
        }
    }

    /** ... and the same gradient for every weight: the grouping changes engine calls, not the batch's loss. */
    @Test
    void lengthGroupsGiveTheFullWidthGradients() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray ids = mixedLengths(m);
            Engine.getInstance().setRandomSeed(3);
            NDArray r = m.randomNormal(new Shape(12, D));
            Map<String, float[]> grouped = Gradients.ofWeightedLast(build(m, "length_groups", true, "group_overhead", OVERHEAD), m,
                    ids, r);
            Map<String, float[]> full = Gradients.ofWeightedLast(build(m, "length_groups", false), m, ids, r);
            Gradients.assertSame(grouped, full);
            assertThat(full).containsKey("item_emb");
        }
    }
}
