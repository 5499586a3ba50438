package org.seqrec.model.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
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
 * LRURec (Yue et al., WSDM 2024), as the authors' code: item embeddings, dropout, LayerNorm; per block a
 * linear recurrent unit over 2D complex states, {@code h_t = λ ⊙ h_{t-1} + γ ⊙ (B x_t)} with λ =
 * exp(-exp(ν) + i exp(θ)) and γ = exp(γ_log) learned per state (ν, θ, γ initialised on the ring
 * r ∈ [0.8, 0.99], phase ∈ [0, 2π], γ = sqrt(1 - |λ|²)), output {@code LN(Drop(Re(C h)) + x)}, then a
 * GELU FFN D -> 4D -> D with dropout, residual and LayerNorm; scores are dot products with the item table
 * plus an item bias. The recurrence is computed by {@link LinearScan#complex}: up to L 128 as one matrix product
 * with the powers of λ, above in ceil(log2 L) doubling steps (the authors' code uses a block-wise parallel form
 * over a power-of-two length); padded positions carry no
 * input, so each user's states start at its first item as in their masked scan. Trained as their code trains it:
 * softmax cross-entropy over all items at every position ({@code all-positions-CE}). Departures: one window per user
 * (the last L items of the training part; their loader adds windows further back for a user with at least 2L
 * items, and also trains the first item from an empty input); the softmax over items 1..n (their logits cover the
 * padding row 0 as well, a class in the denominator that is never a target); N(0, 0.02) initialisation for their
 * truncated normal (±0.04). Defaults:
 * their Beauty/Sports settings: D 64, 2 blocks, L 50, dropout 0.2, AdamW lr 1e-3, weight decay 0.01, batch 128.
 */
public final class LruRec extends NeuralSeqModel {
    private final String items;
    private final String itemBias;
    private final Norm embNorm;
    private final Block[] blocks;
    private final float dropout;

    public LruRec(NDManager manager, int numItems, Hyper h) {
        super(manager, numItems, h.maxLen());
        int d = h.hidden();
        this.dropout = h.dropout();
        this.items = params.normal("embedding.token.weight", new Shape(numItems + 1, d), 0.02f);
        this.itemBias = params.zeros("model.bias", new Shape(numItems + 1));
        this.embNorm = new Norm(params, "embedding.layer_norm", d);
        this.blocks = new Block[h.layers()];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = new Block(params, manager, "model.lru_blocks." + i + ".", d);
        }
    }

    /** One LRU block: the recurrent layer and the FFN. */
    private static final class Block {
        final String paramsLog; // [3, 2D]: log ν, log θ, log γ
        final Dense inRe;
        final Dense inIm;
        final Dense outRe;
        final String outIm; // the imaginary part of C (its bias cannot reach Re(C h))
        final Norm lruNorm;
        final Dense ff1;
        final Dense ff2;
        final Norm ffNorm;

        Block(Params params, NDManager manager, String name, int d) {
            int n = 2 * d;
            float rMin = 0.8f;
            float rMax = 0.99f;
            float[] init = new float[3 * n];
            float[] u1 = manager.randomUniform(0f, 1f, new Shape(n)).toFloatArray();
            float[] u2 = manager.randomUniform(0f, 1f, new Shape(n)).toFloatArray();
            for (int j = 0; j < n; j++) {
                double nuLog = Math.log(-0.5 * Math.log(u1[j] * (rMax * rMax - rMin * rMin) + rMin * rMin));
                double nu = Math.exp(nuLog);
                init[j] = (float) nuLog;
                init[n + j] = (float) Math.log(u2[j] * 2 * Math.PI + 1e-12);
                init[2 * n + j] = (float) (0.5 * Math.log(1 - Math.exp(-2 * nu))); // log sqrt(1 - |λ|^2)
            }
            this.paramsLog = params.values(name + "lru_layer.params_log", manager.create(init, new Shape(3, n)));
            this.inRe = new Dense(params, name + "lru_layer.in_proj.re", d, n);
            this.inIm = new Dense(params, name + "lru_layer.in_proj.im", d, n);
            this.outRe = new Dense(params, name + "lru_layer.out_proj.re", n, d);
            this.outIm = params.normal(name + "lru_layer.out_proj.im.weight", new Shape(d, n), 0.02f);
            this.lruNorm = new Norm(params, name + "lru_layer.layer_norm", d);
            this.ff1 = new Dense(params, name + "feed_forward.w_1", d, 4 * d);
            this.ff2 = new Dense(params, name + "feed_forward.w_2", 4 * d, d);
            this.ffNorm = new Norm(params, name + "feed_forward.layer_norm", d);
        }
    }

    @Override
    public String name() {
        return "lrurec";
    }

    @Override
    protected String itemTable() {
        return items;
    }

    @Override
    protected String itemBias() {
        return itemBias;
    }

    @Override
    public List<String> itemIndexedWeights() {
        return List.of(items, itemBias);
    }

    /** The complex states of block {@code b}'s recurrence for inputs x {@code [B, L, D]}: {@code {Re h, Im h}}. */
    NDArray[] states(Params.Bound p, int b, NDArray x, NDArray real) {
        Block blk = blocks[b];
        NDArray logs = p.get(blk.paramsLog).exp(); // ν, θ, γ
        NDArray nu = logs.get(0);
        NDArray theta = logs.get(1);
        NDArray gamma = logs.get(2);
        NDArray modulus = nu.neg().exp();
        NDArray lamRe = modulus.mul(theta.cos());
        NDArray lamIm = modulus.mul(theta.sin());
        NDArray gate = real.expandDims(2).mul(gamma); // no input at padded positions
        return LinearScan.complex(lamRe, lamIm, blk.inRe.forward(p, x).mul(gate), blk.inIm.forward(p, x).mul(gate));
    }

    @Override
    public NDArray encodeAll(Params.Bound p, NDArray ids, boolean training) {
        NDArray table = p.get(items);
        NDArray real = ids.gt(0).toType(DataType.FLOAT32, false);
        NDArray x = embNorm.forward(p, Nn.dropout(p, Nn.embedding(ids, table), dropout, training));
        for (int b = 0; b < blocks.length; b++) {
            Block blk = blocks[b];
            NDArray[] h = states(p, b, x, real);
            NDArray y = blk.outRe.forward(p, h[0]).sub(h[1].matMul(p.get(blk.outIm).transpose()));
            x = blk.lruNorm.forward(p, Nn.dropout(p, y, dropout, training).add(x));
            NDArray f = blk.ff2.forward(p, Nn.dropout(p, Nn.gelu(blk.ff1.forward(p, x)), dropout, training));
            x = blk.ffNorm.forward(p, Nn.dropout(p, f, dropout, training).add(x));
        }
        return x;
    }

    /** Registry entry {@code lrurec}. */
    public static final class Spec extends NeuralSpec {
        public Spec() {
            super("lrurec", "LRURec (Yue et al. 2024): linear recurrent units (complex diagonal recurrence by a log-depth scan) + FFN; all-positions CE");
        }

        @Override
        public Map<String, Object> defaults() {
            Map<String, Object> m = Hyper.defaults();
            m.put("dropout", 0.2);
            m.put("lr", 1e-3);
            m.put("weight_decay", 0.01);
            m.put("batch", 128);
            return m;
        }

        @Override
        public NeuralSeqModel build(NDManager manager, int numItems, Map<String, Object> params) {
            return new LruRec(manager, numItems, Hyper.from(params));
        }

        @Override
        public Objective objective(Map<String, Object> params) {
            return new Objective.AllPositionsCe();
        }
    }
}
