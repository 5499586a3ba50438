package org.seqrec.model.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv1d;
import java.util.Map;
import org.seqrec.model.Hyper;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.model.Objective;
import org.seqrec.nn.Dense;
import org.seqrec.nn.LinearScan;
import org.seqrec.nn.Nn;
import org.seqrec.nn.Norm;
import org.seqrec.nn.Params;

/**
 * Mamba4Rec (Liu et al. 2024), as its authors' code: item embeddings, dropout, LayerNorm, then per layer a
 * Mamba block (Gu and Dao 2023: in-projection D -> 2E into x and gate z; causal depth-wise convolution of
 * width {@code d_conv} and SiLU on x; from x the step Δ = softplus(W_Δ (W_dt x) + b_Δ) of rank ceil(D/16), and
 * the input-dependent B and C of {@code d_state} N; the selective scan {@code h_t = exp(Δ_t A) ⊙ h_{t-1} + Δ_t B_t
 * x_t} per channel with A = -exp(A_log), A_log = log(1..N); {@code y = C_t · h_t + D x}, gated by SiLU(z),
 * out-projected to D), dropout and LayerNorm (with the input added when there are several layers), and a
 * GELU FFN (4D) with residual and LayerNorm. Scores: dot products with the item table; {@code prefix-CE}.
 * The scan runs as a log-depth Hillis-Steele scan of engine ops ({@link LinearScan#real}), not a loop over
 * time. Seqrec pads on the left where RecBole pads on the right: the block's input and the scan's input are
 * zeroed at padded positions, so a user's states start at its first item exactly as in the authors' run.
 * Initialisation as their code ends up with: N(0, 0.02) for every linear map (their init pass also resets the
 * Δ projection's bias to 0), PyTorch's default for the convolution, A_log and D = 1 as Mamba's. Defaults:
 * their settings (D 64, 1 layer, dropout 0.2, N 32, d_conv 4, expand 2, lr 1e-3, L 50 on Amazon data), with
 * batch 256 instead of their 2048: the scan holds {@code [B, L, E, N]} states per step (2048 x 50 x 128 x 32
 * floats is 1.6 GB a tensor).
 */
public final class Mamba4Rec extends NeuralSeqModel {
    private final String items;
    private final Norm embNorm;
    private final Layer[] layers;
    private final float dropout;
    private final int convWidth;

    public Mamba4Rec(NDManager manager, int numItems, Hyper h, int state, int convWidth, int expand) {
        super(manager, numItems, h.maxLen());
        int d = h.hidden();
        this.dropout = h.dropout();
        this.convWidth = convWidth;
        this.items = params.normal("item_embedding.weight", new Shape(numItems + 1, d), 0.02f);
        this.embNorm = new Norm(params, "LayerNorm", d);
        this.layers = new Layer[h.layers()];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = new Layer(params, manager, "mamba_layers." + i + ".", d, state, convWidth, expand);
        }
    }

    /** One Mamba layer's weights. */
    private static final class Layer {
        final String inProj; // [2E, D], no bias
        final String convWeight; // [E, 1, d_conv]
        final String convBias;
        final String xProj; // [R + 2N, E], no bias
        final Dense dtProj; // R -> E
        final String aLog; // [E, N]
        final String dSkip; // [E]
        final String outProj; // [D, E], no bias
        final Norm norm;
        final Dense ff1;
        final Dense ff2;
        final Norm ffNorm;
        final int e;
        final int n;
        final int rank;

        Layer(Params p, NDManager m, String name, int d, int n, int convWidth, int expand) {
            this.e = expand * d;
            this.n = n;
            this.rank = (d + 15) / 16;
            String mb = name + "mamba.";
            this.inProj = p.normal(mb + "in_proj.weight", new Shape(2L * e, d), 0.02f);
            float bound = (float) (1 / Math.sqrt(convWidth));
            this.convWeight = p.uniform(mb + "conv1d.weight", new Shape(e, 1, convWidth), bound);
            this.convBias = p.uniform(mb + "conv1d.bias", new Shape(e), bound);
            this.xProj = p.normal(mb + "x_proj.weight", new Shape(rank + 2L * n, e), 0.02f);
            this.dtProj = new Dense(p, mb + "dt_proj", rank, e);
            float[] logs = new float[e * n];
            for (int c = 0; c < e; c++) {
                for (int s = 0; s < n; s++) {
                    logs[c * n + s] = (float) Math.log(s + 1);
                }
            }
            this.aLog = p.values(mb + "A_log", m.create(logs, new Shape(e, n)));
            this.dSkip = p.ones(mb + "D", new Shape(e));
            this.outProj = p.normal(mb + "out_proj.weight", new Shape(d, e), 0.02f);
            this.norm = new Norm(p, name + "LayerNorm", d);
            this.ff1 = new Dense(p, name + "ffn.w_1", d, 4 * d);
            this.ff2 = new Dense(p, name + "ffn.w_2", 4 * d, d);
            this.ffNorm = new Norm(p, name + "ffn.LayerNorm", d);
        }
    }

    @Override
    public String name() {
        return "mamba4rec";
    }

    @Override
    protected String itemTable() {
        return items;
    }

    /** The Mamba block of layer {@code i}: {@code [B, L, D] -> [B, L, D]}; {@code real} [B, L] is 1 at items, 0 at padding. */
    NDArray mamba(Params.Bound p, int i, NDArray x, NDArray real) {
        Layer l = layers[i];
        long b = x.getShape().get(0);
        long len = x.getShape().get(1);
        NDArray xz = x.matMul(p.get(l.inProj).transpose()); // [B, L, 2E]
        NDArray mask = real.expandDims(2);
        NDArray xs = xz.get(new NDIndex(":, :, :{}", l.e)).mul(mask); // padded positions enter the convolution as zeros
        NDArray z = xz.get(new NDIndex(":, :, {}:", l.e));
        // causal depth-wise convolution: d_conv - 1 zeros on the left, channels first
        NDArray xt = xs.transpose(0, 2, 1);
        NDArray zeros = x.getManager().zeros(new Shape(b, l.e, convWidth - 1), x.getDataType());
        NDArray conv = Conv1d.conv1d(NDArrays.concat(new NDList(zeros, xt), 2), p.get(l.convWeight), p.get(l.convBias), new Shape(1),
                new Shape(0), new Shape(1), l.e).singletonOrThrow().transpose(0, 2, 1); // [B, L, E]
        NDArray u = Nn.silu(conv);
        NDArray dbl = u.matMul(p.get(l.xProj).transpose()); // [B, L, R + 2N]
        NDArray dt = dbl.get(new NDIndex(":, :, :{}", l.rank));
        NDArray bIn = dbl.get(new NDIndex(":, :, {}:{}", l.rank, l.rank + l.n)); // [B, L, N]
        NDArray cOut = dbl.get(new NDIndex(":, :, {}:", l.rank + l.n)); // [B, L, N]
        NDArray delta = Activation.softPlus(l.dtProj.forward(p, dt)); // [B, L, E]
        NDArray a = p.get(l.aLog).exp().neg(); // [E, N]
        NDArray decay = delta.expandDims(3).mul(a).exp(); // [B, L, E, N]
        NDArray input = delta.mul(u).mul(mask).expandDims(3).mul(bIn.expandDims(2)); // Δ B x, none at padding
        NDArray h = LinearScan.real(decay, input); // [B, L, E, N]
        NDArray y = h.mul(cOut.expandDims(2)).sum(new int[] {3}).add(u.mul(p.get(l.dSkip))); // [B, L, E]
        return y.mul(Nn.silu(z)).matMul(p.get(l.outProj).transpose());
    }

    @Override
    public NDArray encodeAll(Params.Bound p, NDArray ids, boolean training) {
        NDArray real = ids.gt(0).toType(DataType.FLOAT32, false);
        NDArray x = embNorm.forward(p, Nn.dropout(p, Nn.embedding(ids, p.get(items)), dropout, training));
        for (int i = 0; i < layers.length; i++) {
            Layer l = layers[i];
            NDArray m = Nn.dropout(p, mamba(p, i, x, real), dropout, training);
            x = l.norm.forward(p, layers.length == 1 ? m : m.add(x)); // one layer: no residual, as the authors' code
            NDArray f = l.ff2.forward(p, Nn.dropout(p, Nn.gelu(l.ff1.forward(p, x)), dropout, training));
            x = l.ffNorm.forward(p, Nn.dropout(p, f, dropout, training).add(x));
        }
        return x;
    }

    /** Registry entry {@code mamba4rec}. */
    public static final class Spec extends NeuralSpec {
        public Spec() {
            super("mamba4rec", "Mamba4Rec (Liu et al. 2024): selective state-space (Mamba) blocks, scan of log depth, + FFN; prefix-CE");
        }

        @Override
        public Map<String, Object> defaults() {
            Map<String, Object> m = Hyper.defaults();
            m.put("layers", 1);
            m.put("dropout", 0.2);
            m.put("d_state", 32);
            m.put("d_conv", 4);
            m.put("expand", 2);
            m.put("lr", 1e-3);
            m.put("batch", 256);
            m.put("select", "NDCG@10");
            return m;
        }

        @Override
        public NeuralSeqModel build(NDManager manager, int numItems, Map<String, Object> params) {
            return new Mamba4Rec(manager, numItems, Hyper.from(params), Hyper.intOf(params, "d_state", 32), Hyper.intOf(params, "d_conv", 4),
                    Hyper.intOf(params, "expand", 2));
        }

        @Override
        public Objective objective(Map<String, Object> params) {
            return new Objective.PrefixCe();
        }

        @Override
        protected boolean causal() { // a causal convolution and a left-to-right scan: --param regime=all-positions-CE
            return true;
        }
    }
}
