package org.seqrec.model.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.seqrec.model.Hyper;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.model.Objective;
import org.seqrec.nn.Nn;
import org.seqrec.nn.Norm;
import org.seqrec.nn.Params;
import org.seqrec.nn.SequenceEmbedding;
import org.seqrec.util.SeqrecException;

/**
 * SINE, the sparse-interest network (Tan et al., WSDM 2021), as RecBole's {@code SINE} (an AdaMCT Table 2
 * baseline). A pool of P concept prototypes; each history activates K of them:
 * <ol>
 *   <li>concept activation: {@code z = Σ_t a_t x_t}, {@code a = softmax_t(tanh(x W1) w2)}; the K prototypes of
 *       largest {@code s = C z} (in ascending order of s, as RecBole), each scaled by {@code sigmoid(s)}: {@code C_u};</li>
 *   <li>intention assignment: {@code P(k|t) = softmax_k(normalize(x_t W3) · LN(C_u,k))};</li>
 *   <li>attention per intention: {@code P(t|k) = softmax_t(tanh(x_t W_k) · w_k)};</li>
 *   <li>interests: {@code φ_k = normalize(Σ_t P(k|t) P(t|k) x_t)};</li>
 *   <li>aggregation: the predicted intention sequence {@code x̄_t = Σ_k P(k|t) C_u,k},
 *       {@code c = LN(Σ_t softmax_t(tanh(x̄ W3) w4) x̄_t)}; the user is {@code Σ_k softmax_k(φ_k · c / τ) φ_k}.</li>
 * </ol>
 * Scores are dot products with the item table; softmax cross-entropy on the last position (prefix-CE), as
 * RecBole's default {@code loss_type: CE}, which adds no regulariser (RecBole adds the prototypes' covariance
 * regulariser only to its NLL loss; it is not implemented here). Defaults are RecBole's: D 64, P 50
 * prototypes, K 3 interests, τ 0.1; weights N(0, 0.01), item table and prototypes Xavier-normal. One
 * difference: padded positions take no part in the three softmaxes over positions (RecBole's include them).
 */
public final class Sine extends NeuralSeqModel {
    private final int interests;
    private final float temperature;
    private final String items;
    private final String prototypes;
    private final String w1;
    private final String w2;
    private final String w3;
    private final String w4;
    private final String wk1;
    private final String wk2;
    private final Norm ln2;
    private final Norm ln4;

    public Sine(NDManager manager, int numItems, int maxLen, int d, int prototypeCount, int interests, float temperature) {
        super(manager, numItems, maxLen);
        if (interests < 1 || interests > prototypeCount) {
            throw new SeqrecException("SINE needs 1 <= interests <= prototypes, got " + interests + " of " + prototypeCount);
        }
        if (!(temperature > 0)) {
            throw new SeqrecException("SINE's temperature must be positive, got " + temperature);
        }
        this.interests = interests;
        this.temperature = temperature;
        this.items = params.normal("item_embedding", new Shape(numItems + 1, d), (float) Math.sqrt(2.0 / (numItems + 1 + d)));
        this.prototypes = params.normal("C", new Shape(prototypeCount, d), (float) Math.sqrt(2.0 / (prototypeCount + d)));
        this.w1 = params.normal("w1", new Shape(d, d), 0.01f);
        this.w2 = params.normal("w2", new Shape(d, 1), 0.01f);
        this.w3 = params.normal("w3", new Shape(d, d), 0.01f);
        this.w4 = params.normal("w4", new Shape(d, 1), 0.01f);
        this.wk1 = params.normal("w_k_1", new Shape(interests, d, d), 0.01f);
        this.wk2 = params.normal("w_k_2", new Shape(interests, d, 1), 0.01f);
        this.ln2 = new Norm(params, "ln2", d);
        this.ln4 = new Norm(params, "ln4", d);
    }

    @Override
    public String name() {
        return "sine";
    }

    @Override
    protected String itemTable() {
        return items;
    }

    /** The K prototypes a batch activates: {@code [B, K]} row indices of the prototype table. */
    public NDArray activated(Params.Bound p, NDArray ids) {
        NDArray mask = SequenceEmbedding.mask(ids);
        return activation(p, embed(p, ids, mask), mask)[0];
    }

    private NDArray embed(Params.Bound p, NDArray ids, NDArray mask) {
        return Nn.embedding(ids, p.get(items)).mul(mask.expandDims(2)); // padding rows exactly zero
    }

    /** {@code [indices [B, K], scores of the activated prototypes [B, K]]}, ascending in the score. */
    private NDArray[] activation(Params.Bound p, NDArray x, NDArray mask) {
        NDArray a = Nn.maskedSoftmax(x.matMul(p.get(w1)).tanh().matMul(p.get(w2)).squeeze(2), mask, 1); // [B, L]
        NDArray z = a.expandDims(1).matMul(x).squeeze(1); // [B, D]
        NDArray s = z.matMul(p.get(prototypes).transpose()); // [B, P]
        NDArray idx = s.argSort(1, true).get(new NDIndex(":, -" + interests + ":"));
        return new NDArray[] {idx, s.gather(idx, 1)};
    }

    @Override
    public NDArray encodeLast(Params.Bound p, NDArray ids, boolean training) {
        NDArray mask = SequenceEmbedding.mask(ids); // [B, L]
        NDArray x = embed(p, ids, mask); // [B, L, D]
        NDArray[] act = activation(p, x, mask);
        NDArray cu = Nn.embedding(act[0], p.get(prototypes)).mul(ai.djl.nn.Activation.sigmoid(act[1]).expandDims(2)); // [B, K, D]
        // intention assignment P(k|t): [B, L, K]
        NDArray pkt = Nn.l2Normalize(x.matMul(p.get(w3))).matMul(ln2.forward(p, cu).transpose(0, 2, 1)).softmax(2);
        // attention per intention P(t|k): [B, K, L]
        NDArray ak = x.expandDims(1).matMul(p.get(wk1)).tanh().matMul(p.get(wk2)).squeeze(3);
        NDArray ptk = Nn.maskedSoftmax(ak, mask.expandDims(1), 2);
        NDArray phi = Nn.l2Normalize(pkt.transpose(0, 2, 1).mul(ptk).matMul(x)); // [B, K, D]
        // the predicted intention sequence and its attention-pooled summary c: [B, D]
        NDArray xbar = pkt.matMul(cu); // [B, L, D]
        NDArray w = Nn.maskedSoftmax(xbar.matMul(p.get(w3)).tanh().matMul(p.get(w4)).squeeze(2), mask, 1); // [B, L]
        NDArray c = ln4.forward(p, w.expandDims(1).matMul(xbar)); // [B, 1, D]
        NDArray e = Nn.scale(phi.matMul(c.transpose(0, 2, 1)).squeeze(2), 1f / temperature).softmax(1); // [B, K]
        return e.expandDims(1).matMul(phi).squeeze(1); // [B, D]
    }

    /** Registry entry {@code sine}. */
    public static final class Spec extends NeuralSpec {
        public Spec() {
            super("sine", "SINE (Tan et al. 2021): K of P concept prototypes activated per history, interests aggregated; prefix-CE");
        }

        @Override
        public Map<String, Object> defaults() {
            Map<String, Object> m = Hyper.defaults();
            m.put("prototypes", 50);
            m.put("interests", 3);
            m.put("temperature", 0.1);
            return m;
        }

        @Override
        public NeuralSeqModel build(NDManager manager, int numItems, Map<String, Object> params) {
            Hyper h = Hyper.from(params);
            return new Sine(manager, numItems, h.maxLen(), h.hidden(), Hyper.intOf(params, "prototypes", 50),
                    Hyper.intOf(params, "interests", 3), Hyper.floatOf(params, "temperature", 0.1f));
        }

        @Override
        public Objective objective(Map<String, Object> params) {
            return new Objective.PrefixCe();
        }
    }
}
