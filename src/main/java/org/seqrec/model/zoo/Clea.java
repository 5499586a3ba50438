package org.seqrec.model.zoo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.pytorch.jni.JniUtils;
import java.util.List;
import java.util.Map;
import org.seqrec.data.SplitMix64;
import org.seqrec.model.HistoryBatch;
import org.seqrec.model.Hyper;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.model.Objective;
import org.seqrec.model.OwnLossModel;
import org.seqrec.nn.Dense;
import org.seqrec.nn.Nn;
import org.seqrec.nn.Params;
import org.seqrec.util.SeqrecException;

/**
 * CLEA (Qin, Wang and Li, SIGIR 2021; a baseline of the ConvFormer paper's Table 3, from FMLP-Rec's) for item
 * sequences, as its authors' code ({@code CLEA-new/module/model_1.py}) builds it, with one-item baskets.
 *
 * <p>A <b>denoising generator</b> G decides, for the target (or candidate) item c, whether each history item j is
 * relevant: {@code p_j = softmax(MLP([v_j; v_c]) + W[v_j; v_c])} over (keep, drop), the MLP {@code 2e -> e} with
 * dropout and LeakyReLU then {@code e -> 2}; in training a Gumbel-softmax sample at temperature τ, hard (argmax),
 * at evaluation keep when {@code p_keep >= 0.5}. A GRU (<b>context encoder</b>) reads the kept items in order (the
 * dropped ones are skipped, as the code's packed sequences skip empty baskets) and gives {@code h_pos}; the dropped
 * items give {@code h_neg}; all items (G off) give the <b>anchor</b> {@code h_anchor}. The <b>likelihood</b> D maps a
 * state to a softmax over the items: {@code fc1 (e -> D)}, dropout, two MLP heads {@code D -> D -> items} summed. The
 * score of candidate c is {@code log D(h_pos(c))[c]}, so ranking runs the encoder once per (user, candidate) pair.
 *
 * <p>Training ({@link Objective.ModelLoss}, the prefix-CE samples): stage 1, {@code pretrain_epochs} epochs of
 * softmax cross-entropy of {@code D(h_anchor)} (embeddings, GRU and D updated); stage 2 repeats
 * {@code generator_epochs} epochs that update only G and {@code encoder_epochs} epochs that update only the
 * embeddings, GRU and D, on the paper's anchor-guided contrastive loss (Eq. 9) plus the code's terms:
 * {@code -log σ(P_pos - P_anchor) - log σ(P_anchor - P_neg) - log P_pos} (+ {@code - log P_anchor} in encoder epochs),
 * with {@code P = D(h)[target]}, plus the code's keep-ratio hinge {@code max(0, pos_margin - r_pos) +
 * max(0, r_neg - neg_margin)} ({@code r}: the batch mean of each history's kept share, weighted by G's soft
 * probability). τ: {@code max(tau_min, tau · exp(-tau_decay · t))} continuously, t the stage-2 batches so far, in
 * generator epochs, {@code tau_min} in encoder epochs (the code's); the paper counts t over every batch and anneals every
 * 500, the code restarts τ each generator cycle and anneals every {@code alternative_train_batch} batches with a
 * compounding exponent. The hard selection does not depend on τ; the soft probabilities (hinge, straight-through
 * gradient) do. Ranking reads the anchor (G off) until a generator epoch has trained, as the code scores its
 * pretraining epochs; the flag {@code generator_trained} is saved with the weights.
 *
 * <p><b>The one departure</b> ({@code straight_through}, default true). With one item per basket, CLEA's weighted
 * basket mean {@code Σ G v / Σ G} equals {@code v}: G's weight cancels, and the hard selection is an argmax, so no
 * gradient reaches G through the encoder (the code's straight-through line is commented out; G learns only from the
 * keep-ratio hinge). Here each kept item enters its sequence as {@code v · (1 + s - sg(s))}, {@code s} the
 * Gumbel-softmax probability of its side: the forward pass is the paper's exactly, and G gets the straight-through
 * gradient of the contrastive loss. {@code straight_through=false} is the code as released (inputs {@code v}).
 *
 * <p>Defaults: the code's structure with {@code hidden} D = 64 (embeddings and GRU D/2, the code's
 * {@code embedding_dim // 2}), one GRU layer, dropout 0.2 (G's and D's; the code fixes D's at 0.2), L2 weight decay
 * 1e-5 (the code's Adam, the paper's λ), pretraining 2 epochs, cycles of 5 generator epochs and 1 encoder epoch,
 * margins 0.3 / 0.7 (the argparse defaults of the code's {@code config.py}; its released scripts for Dunnhumby and
 * Instacart use margins 0.1 / 0.9, cycles of 10 / 10 or 5 / 5 epochs, pretraining as a separate run of up to 10
 * epochs keeping the best, and a generator learning rate of 1e-3: all settable but the last), τ 10 decaying at 1e-4
 * to 0.3 (the paper's figures); inits as the code: embeddings N(0, 1), G's weights N(0, 0.1), the rest PyTorch's
 * default uniform. Not carried over: the code's three optimizers with their own learning rates (one Adam here, which
 * updates only the epoch's weights; its bias correction counts every step), its per-item (not per-position) Gumbel
 * noise, its user embedding (computed, never used). Only its own regime: {@code regime=prefix-CE} is refused. Cost: three encoder passes per training sample, and ranking
 * needs {@code items} logits per (user, candidate) pair: {@code C · n · D} multiply-adds per user for C candidates,
 * so the sampled protocols are practical and full ranking is not (n² per user).
 */
public final class Clea extends NeuralSeqModel implements OwnLossModel {
    /** CLEA's own settings (class comment). */
    public record Options(int pretrainEpochs, int generatorEpochs, int encoderEpochs, float tau, float tauMin, float tauDecay,
            float posMargin, float negMargin, boolean straightThrough) {
        public Options {
            if (pretrainEpochs < 0 || generatorEpochs < 0 || encoderEpochs < 0 || generatorEpochs + encoderEpochs == 0) {
                throw new SeqrecException("CLEA's epochs: pretrain_epochs, generator_epochs, encoder_epochs must be >= 0"
                        + " and a cycle must train something, got " + pretrainEpochs + ", " + generatorEpochs + ", " + encoderEpochs);
            }
            if (!(tau > 0) || !(tauMin > 0) || !(tauDecay >= 0)) {
                throw new SeqrecException("CLEA's temperatures must be positive and tau_decay >= 0, got tau " + tau
                        + ", tau_min " + tauMin + ", tau_decay " + tauDecay);
            }
        }

        static Options from(Map<String, Object> params) {
            return new Options(Hyper.intOf(params, "pretrain_epochs", 2), Hyper.intOf(params, "generator_epochs", 5),
                    Hyper.intOf(params, "encoder_epochs", 1), Hyper.floatOf(params, "tau", 10f),
                    Hyper.floatOf(params, "tau_min", 0.3f), Hyper.floatOf(params, "tau_decay", 1e-4f),
                    Hyper.floatOf(params, "pos_margin", 0.3f), Hyper.floatOf(params, "neg_margin", 0.7f),
                    Hyper.boolOf(params, "straight_through", true));
        }
    }

    /** What an epoch trains. */
    public enum Phase { PRETRAIN, GENERATOR, ENCODER }

    static final String GENERATOR = "generator.";
    /** Logits of one scoring pass at most (distinct kept sets x items), about 64 MB of float32. */
    private static final long LOGITS_PER_PASS = 1L << 24;
    /** (user, candidate) pairs whose kept sets one ranking pass holds on the host. */
    private static final long PAIRS_PER_PASS = 1L << 13; // G's [P, L, 2e] inputs: ~100 MB at L 50, e 32

    private final int e;
    private final float dropout;
    private final Options o;
    private final String items;
    private final String gInW;
    private final String gInB;
    private final String gOutW;
    private final String gOutB;
    private final String gSkipW;
    private final String gSkipB;
    private final String[] gru;
    private final Dense fc1;
    private final Dense head1;
    private final Dense head1Out;
    private final Dense head2;
    private final Dense head2Out;
    /** 1 once a generator epoch has trained (saved with the weights): until then ranking reads the anchor, G off. */
    private final String generatorTrained;
    private long pairsPerPass = PAIRS_PER_PASS;
    private long logitsPerPass = LOGITS_PER_PASS;

    public Clea(NDManager manager, int numItems, Hyper h, Options o) {
        super(manager, numItems, h.maxLen());
        if (h.hidden() < 2 || h.hidden() % 2 != 0) {
            throw new SeqrecException("CLEA's hidden must be even (embeddings and GRU are hidden/2), got " + h.hidden());
        }
        int d = h.hidden();
        this.e = d / 2;
        this.dropout = h.dropout();
        this.o = o;
        this.items = params.normal("items", new Shape(numItems + 1L, e), 1f);
        this.gInW = params.normal(GENERATOR + "mlp.0.weight", new Shape(e, 2L * e), 0.1f);
        this.gInB = params.normal(GENERATOR + "mlp.0.bias", new Shape(e), 0.1f);
        this.gOutW = params.normal(GENERATOR + "mlp.3.weight", new Shape(2, e), 0.1f);
        this.gOutB = params.normal(GENERATOR + "mlp.3.bias", new Shape(2), 0.1f);
        this.gSkipW = params.normal(GENERATOR + "linear.weight", new Shape(2, 2L * e), 0.1f);
        this.gSkipB = params.normal(GENERATOR + "linear.bias", new Shape(2), 0.1f);
        float bound = (float) (1 / Math.sqrt(e));
        this.gru = new String[] {params.uniform("gru.w_ih", new Shape(3L * e, e), bound),
            params.uniform("gru.w_hh", new Shape(3L * e, e), bound), params.uniform("gru.b_ih", new Shape(3L * e), bound),
            params.uniform("gru.b_hh", new Shape(3L * e), bound)};
        this.fc1 = Dense.uniform(params, "likelihood.fc1", e, d, bound);
        float dBound = (float) (1 / Math.sqrt(d));
        this.head1 = Dense.uniform(params, "likelihood.head1.0", d, d, dBound);
        this.head1Out = Dense.uniform(params, "likelihood.head1.3", d, numItems + 1, dBound);
        this.head2 = Dense.uniform(params, "likelihood.head2.0", d, d, dBound);
        this.head2Out = Dense.uniform(params, "likelihood.head2.3", d, numItems + 1, dBound);
        this.generatorTrained = params.frozenValues("generator_trained", manager.zeros(new Shape(1)));
    }

    /** Whether G has been trained (a generator epoch has run): ranking then filters each history through it. */
    public boolean generatorTrained() {
        return params.get(generatorTrained).getFloat(0) > 0.5f;
    }

    /** Sets the most (user, candidate) pairs one ranking pass handles (tests force several passes); returns this. */
    @Override
    public Clea pairsPerPass(int pairs) {
        super.pairsPerPass(pairs); // checks it
        this.pairsPerPass = pairs;
        return this;
    }

    /** Sets the most logits (distinct kept sets x items) one ranking pass computes (tests force several); returns this. */
    Clea logitsPerPass(long logits) {
        if (logits < 1) {
            throw new IllegalArgumentException("logits per pass must be positive: " + logits);
        }
        this.logitsPerPass = logits;
        return this;
    }

    @Override
    public String name() {
        return "clea";
    }

    @Override
    protected String itemTable() {
        return items;
    }

    /** Rows indexed by item: the embeddings and the two heads' output layers (row 0 padding, never a class). */
    @Override
    public List<String> itemIndexedWeights() {
        return List.of(items, "likelihood.head1.3.weight", "likelihood.head1.3.bias", "likelihood.head2.3.weight",
                "likelihood.head2.3.bias");
    }

    /** The phase of epoch {@code epoch} (1-based). */
    public Phase phase(int epoch) {
        if (epoch <= o.pretrainEpochs()) {
            return Phase.PRETRAIN;
        }
        int k = (epoch - o.pretrainEpochs() - 1) % (o.generatorEpochs() + o.encoderEpochs());
        return k < o.generatorEpochs() ? Phase.GENERATOR : Phase.ENCODER;
    }

    @Override
    public boolean updates(String weight, int epoch) {
        return weight.startsWith(GENERATOR) == (phase(epoch) == Phase.GENERATOR);
    }

    /** The Gumbel-softmax temperature at {@code step}. */
    public float temperature(Step step) {
        if (phase(step.epoch()) != Phase.GENERATOR) {
            return o.tauMin();
        }
        long t = Math.max(0, step.batch() - (long) o.pretrainEpochs() * step.batchesPerEpoch());
        return (float) Math.max(o.tauMin(), o.tau() * Math.exp(-o.tauDecay() * t));
    }

    // ---- the parts -------------------------------------------------------------------------------------------

    /** G's log-probabilities of (keep, drop) for history items {@code x [P, L, e]} and candidates {@code c [P, e]}: {@code [P, L, 2]}. */
    NDArray generatorLogProbs(Params.Bound p, NDArray x, NDArray c, boolean training) {
        long len = x.getShape().get(1);
        NDArray in = x.concat(c.expandDims(1).broadcast(c.getShape().get(0), len, e), 2);
        in = Nn.dropout(p, in, dropout, training);
        NDArray hidden = Nn.dropout(p, Nn.linear(in, p.get(gInW), p.get(gInB)), dropout, training);
        NDArray logits = Nn.linear(Activation.leakyRelu(hidden, 0.01f), p.get(gOutW), p.get(gOutB))
                .add(Nn.linear(in, p.get(gSkipW), p.get(gSkipB)));
        return logits.logSoftmax(2);
    }

    /**
     * The GRU's state after the items of {@code x [P, L, e]} where {@code kept [P, L]} (0/1, no gradient) is 1, read in
     * order with the others skipped, each item multiplied by {@code weight [P, L]} (equal to {@code kept} in value):
     * {@code [P, e]}. The kept items are moved to the front (a stable order) and the state read after the last of them;
     * a history with none reads the state after one zero input, as the code's packed sequence of length 1.
     */
    NDArray encode(Params.Bound p, NDArray x, NDArray kept, NDArray weight) {
        NDManager m = p.manager();
        long b = x.getShape().get(0);
        long len = x.getShape().get(1);
        NDArray position = m.arange(0f, (float) len, 1f, DataType.FLOAT32).expandDims(0);
        NDArray key = position.add(m.full(new Shape(), (float) len, DataType.FLOAT32).mul(kept.neg().add(1f))); // kept first
        NDArray order = key.argSort(1, true); // [P, L] int64
        NDArray xs = x.mul(weight.expandDims(2)).gather(order.expandDims(2).broadcast(b, len, e), 1);
        NDArray states = Nn.gru(p, List.of(gru), xs, 1, e, true); // [P, L, e]
        NDArray lastIndex = kept.sum(new int[] {1}).maximum(1f).sub(1f).toType(DataType.INT64, false); // [P]
        return states.gather(lastIndex.reshape(b, 1, 1).broadcast(b, 1, e), 1).squeeze(1);
    }

    /** D's logits over the item table's rows (column 0 padding, never a class): {@code [..., e] -> [..., n + 1]}. */
    NDArray likelihoodLogits(Params.Bound p, NDArray h, boolean training) {
        NDArray z = Nn.dropout(p, fc1.forward(p, h), dropout, training);
        NDArray one = head1Out.forward(p, Activation.leakyRelu(head1.forward(p, z), 0.01f));
        return one.add(head2Out.forward(p, Activation.leakyRelu(head2.forward(p, z), 0.01f)));
    }

    /** log D(h)[items]: log-softmax over the items 1..n, at {@code ids [P]}: {@code [P]}. */
    NDArray logLikelihood(Params.Bound p, NDArray h, NDArray ids, boolean training) {
        NDArray logits = likelihoodLogits(p, h, training);
        return logits.gather(ids.reshape(-1, 1), 1).squeeze(1).sub(logSumExpOverItems(logits));
    }

    /** {@code log Σ exp} of D's logits {@code [P, n + 1]} over the items 1..n (column 0 is never a class): {@code [P]}. */
    private static NDArray logSumExpOverItems(NDArray logits) {
        NDArray real = logits.get(new NDIndex(":, 1:"));
        NDArray max = real.max(new int[] {1}, true).stopGradient(); // a constant shift: no gradient through it
        return real.sub(max).exp().sum(new int[] {1}).log().add(max.squeeze(1));
    }

    /** The mask of real (non-padding) positions of {@code ids [P, L]}: float 0/1. */
    private static NDArray realPositions(NDArray ids) {
        return ids.gt(0).toType(DataType.FLOAT32, false);
    }

    /** The anchor: the state after every item of the history (G off). */
    private NDArray anchor(Params.Bound p, NDArray x, NDArray ids) {
        NDArray real = realPositions(ids);
        return encode(p, x, real, real);
    }

    /** G's evaluation selection for candidates {@code c [P]}: keep where {@code p_keep >= 0.5} (real positions only). */
    NDArray keptAtEvaluation(Params.Bound p, NDArray ids, NDArray x, NDArray c) {
        return keeps(generatorLogProbs(p, x, Nn.embedding(c, p.get(items)), false)).mul(realPositions(ids));
    }

    /** The hard selection from (keep, drop) scores {@code [P, L, 2]}: 1 where keep scores at least drop, float {@code [P, L]}. */
    private static NDArray keeps(NDArray scores) {
        return scores.get(new NDIndex(":, :, 0")).gte(scores.get(new NDIndex(":, :, 1"))).toType(DataType.FLOAT32, false);
    }

    // ---- training ------------------------------------------------------------------------------------------

    @Override
    public NDArray loss(Params.Bound p, NDArray ids, NDArray targets, Step step) {
        NDArray x = Nn.embedding(ids, p.get(items)); // [B, L, e]
        NDArray whole = logLikelihood(p, anchor(p, x, ids), targets, true); // log P_anchor [B]
        Phase phase = phase(step.epoch());
        if (phase == Phase.PRETRAIN) {
            return whole.neg().mean();
        }
        NDManager m = p.manager();
        if (phase == Phase.GENERATOR && !generatorTrained()) {
            params.get(generatorTrained).set(new NDIndex(0), 1f);
        }
        NDArray real = realPositions(ids);
        NDArray logp = generatorLogProbs(p, x, Nn.embedding(targets, p.get(items)), true); // [B, L, 2]
        NDArray y = Nn.scale(logp.add(gumbel(p, logp.getShape())), 1f / temperature(step)).softmax(2);
        NDArray soft = y.get(new NDIndex(":, :, 0")); // Gumbel-softmax probability of keeping, [B, L]
        NDArray keep = keeps(y).mul(real); // hard, no gradient
        NDArray drop = real.sub(keep);
        NDArray keepWeight = keep;
        NDArray dropWeight = drop;
        if (o.straightThrough()) { // value 1 on the side's items, the soft probability's gradient
            NDArray st = soft.sub(soft.stopGradient());
            keepWeight = keep.mul(st.add(1f));
            dropWeight = drop.mul(st.neg().add(1f));
        }
        NDArray pos = logLikelihood(p, encode(p, x, keep, keepWeight), targets, true);
        NDArray neg = logLikelihood(p, encode(p, x, drop, dropWeight), targets, true);
        NDArray pPos = pos.exp();
        NDArray pWhole = whole.exp();
        NDArray pNeg = neg.exp();
        // the code's keep-ratio hinge: shares weighted by the soft probability of each side
        NDArray count = real.sum(new int[] {1}).maximum(1f);
        NDArray rPos = keep.mul(soft).sum(new int[] {1}).div(count).mean();
        NDArray rNeg = drop.mul(soft.neg().add(1f)).sum(new int[] {1}).div(count).mean();
        NDArray zero = m.zeros(new Shape());
        NDArray hinge = m.full(new Shape(), o.posMargin()).sub(rPos).maximum(zero)
                .add(rNeg.sub(m.full(new Shape(), o.negMargin())).maximum(zero));
        NDArray loss = hinge.add(logSigmoid(pPos.sub(pWhole)).neg().mean())
                .add(logSigmoid(pWhole.sub(pNeg)).neg().mean())
                .add(pos.neg().mean());
        return phase == Phase.ENCODER ? loss.add(whole.neg().mean()) : loss;
    }

    private static NDArray logSigmoid(NDArray x) {
        return Activation.sigmoid(x).log();
    }

    /** Gumbel(0, 1) noise {@code -log(-log(u))} of {@code shape}, u drawn from the batch's dropout stream when it has one. */
    private static NDArray gumbel(Params.Bound p, Shape shape) {
        NDManager m = p.manager();
        SplitMix64 rng = p.dropoutRng();
        NDArray u;
        if (rng != null) {
            float[] v = new float[(int) shape.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) rng.nextDouble();
            }
            u = m.create(v, shape);
        } else {
            u = m.randomUniform(0f, 1f, shape);
        }
        NDArray eps = m.full(new Shape(), 1e-20f);
        return u.add(eps).log().neg().add(eps).log().neg();
    }

    // ---- the generic paths: G off (the anchor) --------------------------------------------------------------

    /** The anchor state (every item, G off): what the prefix regimes and the cost measurement read. */
    @Override
    public NDArray encodeLast(Params.Bound p, NDArray ids, boolean training) {
        return anchor(p, Nn.embedding(ids, p.get(items)), ids);
    }

    /** D's logits of the anchor states {@code rep [B, e]} for item rows {@code from .. to-1}. */
    @Override
    public NDArray scoreItemRange(Params.Bound p, NDArray rep, int from, int to) {
        return likelihoodLogits(p, rep, JniUtils.isGradMode()).get(new NDIndex(":, " + from + ":" + to));
    }

    @Override
    public NDArray scoreItems(Params.Bound p, NDArray rep, NDArray ids) {
        Shape shape = ids.getShape();
        long k = rep.getShape().get(rep.getShape().dimension() - 1);
        NDArray logits = likelihoodLogits(p, rep.reshape(-1, k), JniUtils.isGradMode());
        return logits.gather(ids.reshape(-1, 1), 1).reshape(shape);
    }

    // ---- ranking: one denoised encoding per (user, candidate) ----------------------------------------------------

    @Override
    public NDArray scoreCandidates(HistoryBatch batch, NDArray candidates, NDManager manager) {
        JniUtils.setGradMode(false);
        return scoreDistinct(evalInputs(batch, manager), candidates, manager);
    }

    @Override
    public NDArray scoreAll(HistoryBatch batch, NDManager manager) {
        long b = batch.size();
        NDArray all = manager.arange(1L, numItems + 1L, 1L, DataType.INT64).expandDims(0).broadcast(b, numItems);
        NDArray scores = scoreCandidates(batch, all, manager);
        NDArray padding = manager.full(new Shape(b, 1), -1e9f); // column 0 is never an answer
        return padding.concat(scores, 1);
    }

    /**
     * The scores of candidates {@code c [B, C]} for histories {@code ids [B, L]}: {@code [B, C]}, each
     * {@code log D(h_pos(c))[c]}, with G off (the anchor) until a generator epoch has trained.
     * A history's encoding depends on the candidate only through which items G keeps for it, so the candidates of one
     * user that keep the same items share the state and its n-way softmax: the cost is one softmax per distinct kept
     * set (one per user with G off), not one per pair. Users go in passes of at most {@link #pairsPerPass} pairs.
     */
    NDArray scoreDistinct(NDArray ids, NDArray c, NDManager manager) {
        long b = ids.getShape().get(0);
        long perUser = c.getShape().get(1);
        long usersPerPass = Math.max(1, pairsPerPass / Math.max(1, perUser));
        boolean useG = generatorTrained();
        NDList parts = new NDList();
        for (long at = 0; at < b; at += usersPerPass) {
            long to = Math.min(b, at + usersPerPass);
            try (NDManager pass = manager.newSubManager()) {
                NDArray uid = ids.get(new NDIndex(at + ":" + to));
                uid.attach(pass);
                NDArray uc = c.get(new NDIndex(at + ":" + to));
                uc.attach(pass);
                parts.add(manager.create(scoreUsers(uid, uc, useG, pass), new Shape(to - at, perUser)));
            }
        }
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
    }

    /** {@link #scoreDistinct} for one pass of users: {@code ids [U, L]}, {@code c [U, C]} to {@code U·C} scores, row-major. */
    private float[] scoreUsers(NDArray ids, NDArray c, boolean useG, NDManager m) {
        int users = (int) ids.getShape().get(0);
        int perUser = (int) c.getShape().get(1);
        int pairs = users * perUser;
        long[] cand = c.toLongArray();
        float[] kept;
        if (useG) {
            Params.Bound q = params.bind(m);
            NDArray pairIds = ids.expandDims(1).broadcast(users, perUser, maxLen).reshape(pairs, maxLen);
            kept = keptAtEvaluation(q, pairIds, Nn.embedding(pairIds, q.get(items)), c.reshape(-1)).toFloatArray();
        } else {
            float[] real = realPositions(ids).toFloatArray();
            kept = new float[pairs * maxLen];
            for (int i = 0; i < pairs; i++) {
                System.arraycopy(real, (i / perUser) * maxLen, kept, i * maxLen, maxLen);
            }
        }
        // the distinct (user, kept set) rows, each with the pairs that read it; the key holds the user after the set
        java.util.Map<java.util.BitSet, Integer> seen = new java.util.HashMap<>();
        java.util.List<Integer> userOf = new java.util.ArrayList<>();
        java.util.List<java.util.BitSet> setOf = new java.util.ArrayList<>();
        java.util.List<java.util.List<Integer>> pairsOf = new java.util.ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            java.util.BitSet key = new java.util.BitSet(maxLen + 32);
            for (int j = 0; j < maxLen; j++) {
                if (kept[i * maxLen + j] > 0.5f) {
                    key.set(j);
                }
            }
            int u = i / perUser;
            for (int bit = 0; bit < 31; bit++) {
                if (((u >>> bit) & 1) != 0) {
                    key.set(maxLen + bit);
                }
            }
            Integer d = seen.get(key);
            if (d == null) {
                d = userOf.size();
                seen.put(key, d);
                userOf.add(u);
                setOf.add(key);
                pairsOf.add(new java.util.ArrayList<>());
            }
            pairsOf.get(d).add(i);
        }
        int distinct = userOf.size();
        float[] out = new float[pairs];
        int chunk = (int) Math.max(1, Math.min(distinct, logitsPerPass / (numItems + 1L)));
        for (int at = 0; at < distinct; at += chunk) {
            int to = Math.min(distinct, at + chunk);
            long[] rows = new long[to - at];
            float[] keptRows = new float[(to - at) * maxLen];
            int count = 0;
            for (int d = at; d < to; d++) {
                rows[d - at] = userOf.get(d);
                java.util.BitSet set = setOf.get(d);
                for (int j = 0; j < maxLen; j++) {
                    keptRows[(d - at) * maxLen + j] = set.get(j) ? 1f : 0f;
                }
                count += pairsOf.get(d).size();
            }
            long[] flat = new long[count]; // (row, candidate) in the pass's [D, n + 1] logits, flattened
            int[] which = new int[count];
            int[] rowOf = new int[count];
            int f = 0;
            for (int d = at; d < to; d++) {
                for (int i : pairsOf.get(d)) {
                    which[f] = i;
                    rowOf[f] = d - at;
                    flat[f++] = (long) (d - at) * (numItems + 1L) + cand[i];
                }
            }
            try (NDManager pass = m.newSubManager()) {
                Params.Bound r = params.bind(pass);
                NDArray rowIds = ids.get(pass.create(rows));
                rowIds.attach(pass);
                NDArray k = pass.create(keptRows, new Shape(to - at, maxLen));
                NDArray logits = likelihoodLogits(r, encode(r, Nn.embedding(rowIds, r.get(items)), k, k), false); // [D, n + 1]
                float[] logSumExp = logSumExpOverItems(logits).toFloatArray();
                float[] picked = logits.reshape(-1).get(pass.create(flat)).toFloatArray();
                for (int j = 0; j < count; j++) {
                    out[which[j]] = picked[j] - logSumExp[rowOf[j]];
                }
            }
        }
        return out;
    }

    /** Registry entry {@code clea}. */
    public static final class Spec extends NeuralSpec {
        public Spec() {
            super("clea", "CLEA (Qin et al. 2021): target-conditioned denoising generator, GRU, anchor-guided contrastive training");
        }

        @Override
        public Map<String, Object> defaults() {
            Map<String, Object> m = Hyper.defaults();
            m.put("layers", 1);
            m.put("dropout", 0.2);
            m.put("weight_decay", 1e-5);
            m.put("pretrain_epochs", 2);
            m.put("generator_epochs", 5);
            m.put("encoder_epochs", 1);
            m.put("tau", 10.0);
            m.put("tau_min", 0.3);
            m.put("tau_decay", 1e-4);
            m.put("pos_margin", 0.3);
            m.put("neg_margin", 0.7);
            m.put("straight_through", true);
            return m;
        }

        @Override
        public NeuralSeqModel build(NDManager manager, int numItems, Map<String, Object> params) {
            Object regime = params.get("regime");
            if (regime != null && !"clea".equals(regime)) { // G would never train, and D's dropout differ between
                // the target's logit and the log-sum-exp of the shared cross-entropy
                throw new SeqrecException("CLEA trains in its own regime (clea), not " + regime);
            }
            Hyper h = Hyper.from(params);
            if (h.layers() != 1) {
                throw new SeqrecException("CLEA's GRU has one layer (its code's default); got layers " + h.layers());
            }
            return new Clea(manager, numItems, h, Options.from(params));
        }

        @Override
        public Objective objective(Map<String, Object> params) {
            return new Objective.ModelLoss("clea");
        }
    }
}
