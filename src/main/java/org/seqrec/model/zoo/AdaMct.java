package org.seqrec.model.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv1d;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.seqrec.model.Hyper;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.model.Objective;
import org.seqrec.nn.Act;
import org.seqrec.nn.Dense;
import org.seqrec.nn.Nn;
import org.seqrec.nn.Norm;
import org.seqrec.nn.Params;
import org.seqrec.nn.SelfAttention;
import org.seqrec.nn.SequenceEmbedding;
import org.seqrec.util.SeqrecException;

/**
 * AdaMCT (Jiang et al., CIKM 2023) as models.md defines it and the authors' RecBole code does:
 * {@code H0 = Drop(LN(item + pos))}; each layer
 * <ol>
 *   <li>{@code Hen = LN(Drop(Linear(H)))};
 *   <li>global branch {@code G = SE(LN(Dense(MHSA(Hen))))}: h-head causal self-attention with padded
 *       keys masked and attention dropout, no residual inside;
 *   <li>local branch {@code Lc = SE(act(LN(Conv1d(Hen))))}: a full D -> D convolution of odd kernel k,
 *       zero padding (k-1)/2 on both sides;
 *   <li>squeeze-excitation {@code SE(X) = X ⊙ sigmoid(W2 ReLU(W1 mean_D(X) + b1) + b2)}, one weight
 *       per position, W1: L -> L/r;
 *   <li>adaptive mixture {@code α = sigmoid(Linear_{D->1}(mean_L(H)))}, one per user and layer,
 *       {@code H' = LN(H + Drop(Linear(α Lc + (1-α) G)))}.
 * </ol>
 * Scores are dot products with the item embeddings; trained with softmax cross-entropy over all
 * items ({@code prefix-CE}). Padded positions are not zeroed (the reference code does not); they
 * enter the SE squeeze and the mixture's mean, as there. The convolution weights start as PyTorch's
 * Conv1d default, U(±1/sqrt(D·k)), as in the reference code; the rest as models.md.
 *
 * <p>Ablations (paper Table 3, Table 4, Figure 4): {@code mix} = a fixed local weight in [0, 1]
 * instead of the adaptive unit (the paper's "w/o A_Mix" is 0.5, an equal trade-off);
 * {@code se_local} / {@code se_global} = {@code softmax} (over positions) or {@code none}; {@code
 * branches} = {@code local} or {@code global} to keep one branch only.
 */
public final class AdaMct extends NeuralSeqModel {
    /** How a squeeze-excitation unit turns its excitation into position weights. */
    public enum Gate {
        /** independent weights in (0, 1): the paper's SEAtt */
        SIGMOID,
        /** weights that sum to 1 over positions (Table 4's ablation) */
        SOFTMAX,
        /** no SE unit (Figure 4's "w/o SEAtt") */
        NONE;

        static Gate parse(String key, Object s) {
            try {
                return valueOf(String.valueOf(s).toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new SeqrecException(key + " must be sigmoid, softmax or none, got '" + s + "'");
            }
        }
    }

    /** Which branches a layer has. */
    public enum Branches {
        BOTH, LOCAL, GLOBAL;

        static Branches parse(Object s) {
            try {
                return valueOf(String.valueOf(s).toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new SeqrecException("branches must be both, local or global, got '" + s + "'");
            }
        }
    }

    /** The settings beyond {@link Hyper}. */
    public record Options(int heads, int kernel, int reduction, Act act, Gate seLocal, Gate seGlobal, Branches branches,
            double fixedMix) {
        /** @return whether the mixture weight is learned (fixedMix is NaN) */
        public boolean adaptive() {
            return Double.isNaN(fixedMix);
        }

        static Options from(Map<String, Object> params) {
            Object mix = params.getOrDefault("mix", "adaptive");
            double fixed = Double.NaN;
            if (!"adaptive".equals(String.valueOf(mix))) {
                fixed = mix instanceof Number n ? n.doubleValue() : Double.NaN;
                if (!(fixed >= 0 && fixed <= 1)) {
                    throw new SeqrecException("mix must be 'adaptive' or a local-branch weight in [0, 1], got '" + mix + "'");
                }
            }
            return new Options(Hyper.intOf(params, "heads", 2), Hyper.intOf(params, "kernel", 5),
                    Hyper.intOf(params, "reduction", 2), Act.parse(String.valueOf(params.getOrDefault("act", "swish"))),
                    Gate.parse("se_local", params.getOrDefault("se_local", "sigmoid")),
                    Gate.parse("se_global", params.getOrDefault("se_global", "sigmoid")),
                    Branches.parse(params.getOrDefault("branches", "both")), fixed);
        }
    }

    /** Squeeze-excitation over positions: {@code X ⊙ gate(W2 ReLU(W1 mean_D(X) + b1) + b2)}. */
    private static final class SqueezeExcitation {
        final Dense squeeze;
        final Dense excite;
        final Gate gate;

        SqueezeExcitation(Params p, String name, int len, int reduction, Gate gate) {
            int mid = Math.max(1, len / reduction);
            this.squeeze = gate == Gate.NONE ? null : new Dense(p, name + ".squeeze", len, mid);
            this.excite = gate == Gate.NONE ? null : new Dense(p, name + ".excite", mid, len);
            this.gate = gate;
        }

        /** The position weights {@code [B, L]} of {@code x [B, L, D]}, or null without an SE unit. */
        NDArray weights(Params.Bound p, NDArray x) {
            if (gate == Gate.NONE) {
                return null;
            }
            NDArray e = excite.forward(p, Activation.relu(squeeze.forward(p, x.mean(new int[] {2}))));
            return gate == Gate.SIGMOID ? Activation.sigmoid(e) : e.softmax(1);
        }
    }

    private final class Layer {
        final Dense enter;
        final Norm enterNorm;
        final SelfAttention attention;
        final Norm globalNorm;
        final String convWeight;
        final String convBias;
        final Norm localNorm;
        final SqueezeExcitation seGlobal;
        final SqueezeExcitation seLocal;
        final Dense mix;
        final Dense out;
        final Norm outNorm;

        Layer(String name) {
            enter = new Dense(params, name + ".enter", d, d);
            enterNorm = new Norm(params, name + ".enter_norm", d);
            boolean global = opt.branches() != Branches.LOCAL;
            boolean local = opt.branches() != Branches.GLOBAL;
            attention = global ? new SelfAttention(params, name + ".attn", d, opt.heads(), attnDropout, true, 0) : null;
            globalNorm = global ? new Norm(params, name + ".global_norm", d) : null;
            float bound = (float) (1 / Math.sqrt(d * opt.kernel()));
            convWeight = local ? params.uniform(name + ".conv.weight", new Shape(d, d, opt.kernel()), bound) : null;
            convBias = local ? params.uniform(name + ".conv.bias", new Shape(d), bound) : null;
            localNorm = local ? new Norm(params, name + ".local_norm", d) : null;
            seGlobal = global ? new SqueezeExcitation(params, name + ".se_global", maxLen, opt.reduction(), opt.seGlobal()) : null;
            seLocal = local ? new SqueezeExcitation(params, name + ".se_local", maxLen, opt.reduction(), opt.seLocal()) : null;
            mix = opt.adaptive() && opt.branches() == Branches.BOTH ? new Dense(params, name + ".mix", d, 1) : null;
            out = new Dense(params, name + ".out", d, d);
            outNorm = new Norm(params, name + ".out_norm", d);
        }

        NDArray forward(Params.Bound p, NDArray h, NDArray mask, boolean training, Trace trace) {
            NDArray en = enterNorm.forward(p, Nn.dropout(p, enter.forward(p, h), dropout, training));
            NDArray g = null;
            NDArray lc = null;
            if (attention != null) {
                g = globalNorm.forward(p, attention.mix(p, en, mask, training));
                g = reweight(g, seGlobal.weights(p, g), trace == null ? null : trace.seGlobal);
            }
            if (convWeight != null) {
                lc = opt.act().apply(localNorm.forward(p, conv(p, en)));
                lc = reweight(lc, seLocal.weights(p, lc), trace == null ? null : trace.seLocal);
            }
            NDArray m;
            if (g == null || lc == null) {
                m = g == null ? lc : g;
            } else {
                NDArray alpha = mix != null
                        ? Activation.sigmoid(mix.forward(p, h.mean(new int[] {1}))).expandDims(2) // [B, 1, 1]
                        : h.getManager().full(new Shape(h.getShape().get(0), 1, 1), (float) opt.fixedMix());
                if (trace != null) {
                    trace.alpha.add(alpha.reshape(-1));
                }
                m = lc.mul(alpha).add(g.mul(alpha.neg().add(1f)));
            }
            return outNorm.forward(p, h.add(Nn.dropout(p, out.forward(p, m), dropout, training)));
        }

        /**
         * The full convolution with zero padding (k-1)/2 on both sides (PyTorch's Conv1d, a
         * cross-correlation): the engine's convolution on the explicitly padded, channels-first input
         * (the padding concatenation also makes the transposed input contiguous). Measured at batch 2048,
         * L 50, D 16, k 5 on one core, forward and backward: about 60 ms against about 85 ms for the
         * same convolution as one matrix product of the k shifted views.
         */
        NDArray conv(Params.Bound p, NDArray x) {
            int pad = (opt.kernel() - 1) / 2;
            NDArray xt = x.transpose(0, 2, 1); // [B, D, L]
            if (pad > 0) {
                NDArray zeros = x.getManager().zeros(new Shape(x.getShape().get(0), d, pad), x.getDataType());
                xt = NDArrays.concat(new NDList(zeros, xt, zeros), 2);
            }
            return Conv1d.conv1d(xt, p.get(convWeight), p.get(convBias), new Shape(1), new Shape(0), new Shape(1), 1)
                    .singletonOrThrow().transpose(0, 2, 1);
        }
    }

    /** Intermediate values of one forward pass, per layer, for tests and analysis (paper Figure 6). */
    public static final class Trace {
        /** the mixture weight α of each layer, {@code [B]} (absent with one branch) */
        public final List<NDArray> alpha = new ArrayList<>();
        /** the local branch's SE weights of each layer, {@code [B, L]} */
        public final List<NDArray> seLocal = new ArrayList<>();
        /** the global branch's SE weights of each layer, {@code [B, L]} */
        public final List<NDArray> seGlobal = new ArrayList<>();
    }

    private static NDArray reweight(NDArray x, NDArray weights, List<NDArray> sink) {
        if (weights == null) {
            return x;
        }
        if (sink != null) {
            sink.add(weights);
        }
        return x.mul(weights.expandDims(2));
    }

    private final SequenceEmbedding embedding;
    private final List<Layer> layers = new ArrayList<>();
    private final Options opt;
    private final int d;
    private final float dropout;
    private final float attnDropout;

    public AdaMct(NDManager manager, int numItems, Hyper h, Options opt) {
        super(manager, numItems, h.maxLen());
        if (opt.kernel() < 1 || opt.kernel() % 2 == 0 || opt.kernel() > h.maxLen()) {
            throw new SeqrecException("AdaMCT's kernel k must be odd and in 1..L = " + h.maxLen() + " (zero padding (k-1)/2"
                    + " on both sides keeps the length), got " + opt.kernel());
        }
        if (opt.reduction() < 1 || opt.reduction() > h.maxLen()) {
            throw new SeqrecException("reduction ratio r must be in 1..L = " + h.maxLen() + ", got " + opt.reduction());
        }
        if (h.hidden() % opt.heads() != 0) {
            throw new SeqrecException("hidden size " + h.hidden() + " is not divisible by " + opt.heads() + " heads");
        }
        this.opt = opt;
        this.d = h.hidden();
        this.dropout = h.dropout();
        this.attnDropout = h.attnDropout();
        this.embedding = new SequenceEmbedding(params, numItems, h.maxLen(), d, h.dropout());
        for (int i = 0; i < h.layers(); i++) {
            layers.add(new Layer("layers." + i));
        }
    }

    @Override
    public String name() {
        return "adamct";
    }

    @Override
    protected String itemTable() {
        return embedding.itemTable();
    }

    @Override
    public NDArray encodeLast(Params.Bound p, NDArray ids, boolean training) {
        return last(encode(p, ids, training, null));
    }

    /** Hidden states {@code [B, L, D]} after every layer, recording intermediate weights into {@code trace} if given. */
    public NDArray encode(Params.Bound p, NDArray ids, boolean training, Trace trace) {
        NDArray mask = SequenceEmbedding.mask(ids);
        NDArray h = embedding.forward(p, ids, mask, training, false);
        for (Layer layer : layers) {
            h = layer.forward(p, h, mask, training, trace);
        }
        return h;
    }

    /** The first layer's local convolution of {@code x [B, L, D]} (before its LayerNorm), for tests. */
    public NDArray localConvolution(Params.Bound p, NDArray x) {
        return layers.get(0).conv(p, x);
    }

    /** Registry entry {@code adamct}; defaults and presets from the paper and the authors' configs. */
    public static final class Spec extends NeuralSpec {
        public Spec() {
            super("adamct", "AdaMCT (CIKM 2023): adaptive mixture of causal attention and a local convolution, prefix-CE");
        }

        @Override
        public Map<String, Object> defaults() {
            Map<String, Object> m = Hyper.defaults();
            m.putAll(presets().get("beauty"));
            m.put("se_local", "sigmoid");
            m.put("se_global", "sigmoid");
            m.put("branches", "both");
            m.put("mix", "adaptive");
            return m;
        }

        /**
         * The paper's tuned settings (section 4.1.4) with the training settings of the authors' configs
         * ({@code config/Amazon_*.yaml}: batch 2048, at most 300 epochs, patience 10 on Beauty and 20 on
         * Toys and Sports, early stopping on validation Recall@10).
         */
        @Override
        public Map<String, Map<String, Object>> presets() {
            Map<String, Map<String, Object>> all = new LinkedHashMap<>();
            all.put("beauty", settings(16, 2, 5, 2, "swish", 0.43, 0.57, 0.02, 10));
            all.put("toys", settings(32, 4, 3, 2, "gelu", 0.5, 0.5, 1e-3, 20));
            all.put("sports", settings(64, 4, 3, 5, "gelu", 0.76, 0.51, 1e-3, 20));
            return all;
        }

        private static Map<String, Object> settings(int hidden, int heads, int kernel, int reduction, String act,
                double dropout, double attnDropout, double lr, int patience) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("layers", 2);
            m.put("hidden", hidden);
            m.put("heads", heads);
            m.put("kernel", kernel);
            m.put("reduction", reduction);
            m.put("act", act);
            m.put("dropout", dropout);
            m.put("attn_dropout", attnDropout);
            m.put("lr", lr);
            m.put("batch", 2048);
            m.put("epochs", 300);
            m.put("patience", patience);
            m.put("max_len", 50);
            m.put("select", "HR@10");
            return m;
        }

        @Override
        public NeuralSeqModel build(NDManager manager, int numItems, Map<String, Object> params) {
            return new AdaMct(manager, numItems, Hyper.from(params), Options.from(params));
        }

        @Override
        public Objective objective(Map<String, Object> params) {
            return new Objective.PrefixCe();
        }
    }
}
