package org.seqrec.model.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.seqrec.model.Hyper;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.model.Objective;
import org.seqrec.nn.Act;
import org.seqrec.nn.Dense;
import org.seqrec.nn.LengthGroups;
import org.seqrec.nn.Nn;
import org.seqrec.nn.Norm;
import org.seqrec.nn.Params;
import org.seqrec.nn.Rope;
import org.seqrec.nn.SelfAttention;
import org.seqrec.nn.SequenceEmbedding;
import org.seqrec.util.SeqrecException;

/**
 * RecGRELA (gated rotary-enhanced linear attention) as models.md restates it. No position
 * embedding: {@code X0 = LN(Drop(item_emb[ids]))}; each of N blocks
 * <pre>
 * u = LN1(X);  g = act_gate(Linear_g(u));  a = RELA(Linear_in(u))
 * X = X + DropPath(Linear_out(a ⊙ g))          (one block: no outer residual)
 * X = X + MLP(LN2(X))                          MLP: D -> 4D, act_mlp, Drop, 4D -> D, Drop
 * </pre>
 * {@code RELA(x)}: value {@code v = x}; {@code q, k = ELU(Linear(x)) + 1} (the {@code D -> 2D}
 * projection as two {@code D -> D} maps, the same weights split); RoPE over the full D of q and k;
 * per head {@code z = 1 / (q · mean_L(k) + 1e-6)}, {@code kv = (k_r^T / sqrt(L)) (v / sqrt(L))},
 * {@code out = (q_r kv) ⊙ z}; plus the local shortcut {@code SiLU(causal depth-wise conv, kernel 4,
 * with bias)(v)}. Padded positions have k and v set to 0, so they add nothing to any key/value sum
 * or mean and the shortcut never reads them (with both sums over the same L, the normalisation is
 * exactly {@code q_r Σ k_r v / q Σ k} over real positions). Cost is linear in L: no L×L array.
 *
 * <p>Ablations (paper): {@code rope=false}, {@code shortcut=false}, {@code gate=false} (then a value
 * projection {@code v = Linear_v(x)} and no gate), {@code drop_path=0}; {@code gate_act} and
 * {@code mlp_act} choose the activations (SiLU and GELU by default).
 */
public final class RecGrela extends NeuralSeqModel {
    /** The settings beyond {@link Hyper}. */
    public record Options(int heads, float dropPath, boolean rope, boolean shortcut, boolean gate, Act gateAct, Act mlpAct,
            boolean lengthGroups, int groupOverhead) {
        static Options from(Map<String, Object> p) {
            return new Options(Hyper.intOf(p, "heads", 4), Hyper.floatOf(p, "drop_path", 0.1f), bool(p, "rope"),
                    bool(p, "shortcut"), bool(p, "gate"), Act.parse(String.valueOf(p.getOrDefault("gate_act", "silu"))),
                    Act.parse(String.valueOf(p.getOrDefault("mlp_act", "gelu"))), bool(p, "length_groups"),
                    Hyper.intOf(p, "group_overhead", LengthGroups.DEFAULT_OVERHEAD));
        }

        private static boolean bool(Map<String, Object> p, String key) {
            return Hyper.boolOf(p, key, true);
        }
    }

    private final class Block {
        final Norm norm1;
        final Dense gate;
        final Dense in;
        final Dense q;
        final Dense k;
        final Dense value;
        final String convWeight;
        final String convBias;
        final Dense out;
        final Norm norm2;
        final Dense mlp1;
        final Dense mlp2;

        Block(String name) {
            norm1 = new Norm(params, name + ".norm1", d);
            gate = opt.gate() ? new Dense(params, name + ".gate", d, d) : null;
            in = new Dense(params, name + ".in", d, d);
            q = new Dense(params, name + ".rela.q", d, d);
            k = new Dense(params, name + ".rela.k", d, d);
            value = opt.gate() ? null : new Dense(params, name + ".rela.v", d, d);
            convWeight = opt.shortcut() ? params.normal(name + ".rela.conv.weight", new Shape(SHORTCUT_KERNEL, d), 0.02f) : null;
            convBias = opt.shortcut() ? params.zeros(name + ".rela.conv.bias", new Shape(d)) : null;
            out = new Dense(params, name + ".out", d, d);
            norm2 = new Norm(params, name + ".norm2", d);
            mlp1 = new Dense(params, name + ".mlp1", d, 4 * d);
            mlp2 = new Dense(params, name + ".mlp2", 4 * d, d);
        }

        NDArray forward(Params.Bound p, NDArray x, NDArray keep, boolean residual, boolean training) {
            NDArray u = norm1.forward(p, x);
            NDArray a = rela(p, in.forward(p, u), keep);
            NDArray branch = out.forward(p, gate == null ? a : a.mul(opt.gateAct().apply(gate.forward(p, u))));
            branch = Nn.dropPath(branch, opt.dropPath(), training);
            x = residual ? x.add(branch) : branch;
            NDArray hidden = Nn.dropout(p, opt.mlpAct().apply(mlp1.forward(p, norm2.forward(p, x))), dropout, training);
            return x.add(Nn.dropout(p, mlp2.forward(p, hidden), dropout, training));
        }

        /** Rotary-enhanced linear attention of {@code x [B, L, D]}; {@code keep [B, L, 1]} is 0 at padding. */
        NDArray rela(Params.Bound p, NDArray x, NDArray keep) {
            long b = x.getShape().get(0);
            long len = x.getShape().get(1);
            NDArray v = (value == null ? x : value.forward(p, x)).mul(keep);
            NDArray qf = Activation.elu(q.forward(p, x), 1f).add(1f);
            NDArray kf = Activation.elu(k.forward(p, x), 1f).add(1f).mul(keep);
            NDArray qr = opt.rope() ? Rope.apply(qf) : qf;
            NDArray kr = opt.rope() ? Rope.apply(kf) : kf;
            NDArray qh = heads(qf, b, len);
            NDArray kh = heads(kf, b, len);
            // [B, h, L, 1]; 0 at padded queries: their output is never read, and a huge 1 / (q · mean k) there
            // would reach the real positions as inf · 0 = NaN through the next block's masked sums
            NDArray z = heads(keep, b, len).div(qh.matMul(kh.mean(new int[] {2}, true).transpose(0, 1, 3, 2)).add(1e-6f));
            NDArray kv = Nn.scale(heads(kr, b, len).transpose(0, 1, 3, 2).matMul(heads(v, b, len)), 1f / len); // [B, h, dh, dh]
            NDArray attn = heads(qr, b, len).matMul(kv).mul(z).transpose(0, 2, 1, 3).reshape(b, len, d);
            return opt.shortcut() ? attn.add(Nn.silu(causalConv(p, v))) : attn;
        }

        /** Depth-wise convolution over time, kernel 4, left padding 3 (position t reads t-3..t), with bias. */
        NDArray causalConv(Params.Bound p, NDArray v) {
            long b = v.getShape().get(0);
            long len = v.getShape().get(1);
            NDArray padded = NDArrays.concat(new NDList(v.getManager().zeros(new Shape(b, SHORTCUT_KERNEL - 1, d), v.getDataType()), v), 1);
            NDArray w = p.get(convWeight);
            NDArray y = p.get(convBias);
            for (int t = 0; t < SHORTCUT_KERNEL; t++) {
                y = y.add(padded.get(new NDIndex(":, {}:{}, :", t, t + len)).mul(w.get(t)));
            }
            return y;
        }

        /** {@code [B, L, D]} as {@code [B, h, L, D/h]}; a mask {@code [B, L, 1]} as {@code [B, 1, L, 1]} (broadcast to every head). */
        private NDArray heads(NDArray t, long b, long len) {
            return t.getShape().get(2) == 1 ? t.reshape(b, 1, len, 1) : SelfAttention.splitHeads(t, b, len, opt.heads());
        }
    }

    static final int SHORTCUT_KERNEL = 4;

    private final String items;
    private final Norm embNorm;
    private final List<Block> blocks = new ArrayList<>();
    private final Options opt;
    private final int d;
    private final float dropout;

    public RecGrela(NDManager manager, int numItems, Hyper h, Options opt) {
        super(manager, numItems, h.maxLen());
        if (h.hidden() % opt.heads() != 0 || h.hidden() % 2 != 0) {
            throw new SeqrecException("hidden size " + h.hidden() + " must be even (RoPE) and divisible by " + opt.heads() + " heads");
        }
        if (!(opt.dropPath() >= 0 && opt.dropPath() < 1)) {
            throw new SeqrecException("drop_path must be in [0, 1), got " + opt.dropPath());
        }
        this.opt = opt;
        this.d = h.hidden();
        this.dropout = h.dropout();
        this.items = params.normal("item_emb", new Shape(numItems + 1, d), 0.02f);
        this.embNorm = new Norm(params, "emb_norm", d);
        for (int i = 0; i < h.layers(); i++) {
            blocks.add(new Block("blocks." + i));
        }
    }

    @Override
    public String name() {
        return "recgrela";
    }

    @Override
    protected String itemTable() {
        return items;
    }

    /** Hidden states {@code [B, L, D]} after every block (for tests; training reads position L-1). */
    public NDArray encode(Params.Bound p, NDArray ids, boolean training) {
        NDArray keep = SequenceEmbedding.mask(ids).expandDims(2);
        NDArray x = embNorm.forward(p, Nn.dropout(p, Nn.embedding(ids, p.get(items)), dropout, training));
        for (Block b : blocks) {
            x = b.forward(p, x, keep, blocks.size() > 1, training);
        }
        return x;
    }

    /**
     * The state at position L-1. With {@code length_groups} (the default) the batch is encoded in
     * groups of rows of similar length, each cropped to its longest row ({@link LengthGroups}): the
     * result is the full-width one (nothing before a row's first item reaches its last position: no
     * absolute positions, padding out of every sum, RoPE relative, the shortcut reading zeros either
     * way; only the 1e-6 of the normaliser scales with the width), at a cost proportional to the real
     * lengths.
     */
    @Override
    public NDArray encodeLast(Params.Bound p, NDArray ids, boolean training) {
        if (!opt.lengthGroups()) {
            return last(encode(p, ids, training));
        }
        return LengthGroups.encodeLast(ids, opt.groupOverhead(), part -> last(encode(p, part, training)));
    }

    /** The first block's RELA of {@code x [B, L, D]} with {@code keep [B, L, 1]} (for tests). */
    public NDArray firstRela(Params.Bound p, NDArray x, NDArray keep) {
        return blocks.get(0).rela(p, x, keep);
    }

    /** The first block's local shortcut convolution of {@code v [B, L, D]}, before its SiLU (for tests). */
    public NDArray firstShortcut(Params.Bound p, NDArray v) {
        return blocks.get(0).causalConv(p, v);
    }

    /**
     * Registry entry {@code recgrela}: the paper's settings (models.md), prefix-CE, early stopping on
     * NDCG@10. A training step takes about 13 MB per sequence of the batch at L 200 (D 64, 4 blocks;
     * bench/results/recgrela-batch.md): the paper's batch 2048 needs about 27 GB.
     */
    public static final class Spec extends NeuralSpec {
        public Spec() {
            super("recgrela", "RecGRELA: gated rotary-enhanced linear attention (linear in L), prefix-CE");
        }

        @Override
        public Map<String, Object> defaults() {
            Map<String, Object> m = Hyper.defaults();
            m.put("hidden", 64);
            m.put("layers", 4);
            m.put("heads", 4);
            m.put("max_len", 200);
            m.put("dropout", 0.1);
            m.put("drop_path", 0.1);
            m.put("lr", 1e-3);
            m.put("batch", 2048);
            m.put("patience", 20);
            m.put("select", "NDCG@10");
            m.put("rope", true);
            m.put("shortcut", true);
            m.put("gate", true);
            m.put("gate_act", "silu");
            m.put("mlp_act", "gelu");
            m.put("length_groups", true);
            m.put("group_overhead", LengthGroups.DEFAULT_OVERHEAD);
            return m;
        }

        @Override
        public NeuralSeqModel build(NDManager manager, int numItems, Map<String, Object> params) {
            return new RecGrela(manager, numItems, Hyper.from(params), Options.from(params));
        }

        @Override
        public Objective objective(Map<String, Object> params) {
            return new Objective.PrefixCe();
        }
    }
}
