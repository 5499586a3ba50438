package org.seqrec.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Path;
import org.seqrec.nn.Nn;
import org.seqrec.nn.Params;

/**
 * A neural sequence model: item ids {@code [B, L]} in, hidden states out, items scored by their dot
 * product with the (shared) item embedding table. Subclasses define {@link #encodeLast}; scoring,
 * saving and loading are written once here.
 */
public abstract class NeuralSeqModel implements RecModel {
    public static final String WEIGHTS = "weights.bin";

    protected final Params params;
    protected final int numItems;
    protected final int maxLen;

    protected NeuralSeqModel(NDManager manager, int numItems, int maxLen) {
        this.params = new Params(manager);
        this.numItems = numItems;
        this.maxLen = maxLen;
    }

    public Params params() {
        return params;
    }

    /**
     * The user representation: the final hidden state at position {@code L-1}, {@code [B, D]}.
     *
     * @param ids int64 {@code [B, L]}, left-padded with 0
     */
    public NDArray encodeLast(Params.Bound p, NDArray ids, boolean training) {
        return last(encodeAll(p, ids, training)); // models override one of the two, or both
    }

    /**
     * Whether the model reads user ids (a per-user embedding, as FM and AutoInt): then the regimes and scorers call
     * {@link #encodeLast(Params.Bound, NDArray, NDArray, boolean)} with the batch's users, and a run keeps its user
     * map ({@code user_map.tsv}) so that serving by user id can name them.
     */
    public boolean readsUsers() {
        return false;
    }

    /**
     * The users the model has a row for: dataset user indices {@code 0 .. knownUsers() - 1}; any other index (an
     * ad-hoc history's -1, a user added after training) reads the unknown user's row. 0 for models that ignore users.
     */
    public int knownUsers() {
        return 0;
    }

    /**
     * The user representation for histories {@code ids [B, L]} of users {@code users}: int64 {@code [B]}, the
     * user's row of a user table ({@link #userRows}: dataset index + 1, 0 for a user the model does not know).
     * Models that ignore users ({@link #readsUsers()} false) get null and read only the history.
     */
    public NDArray encodeLast(Params.Bound p, NDArray ids, NDArray users, boolean training) {
        return encodeLast(p, ids, training);
    }

    /**
     * The user-table rows of dataset user indices {@code users[from .. from + count - 1]}: index + 1 for the
     * {@link #knownUsers()}, 0 (the unknown user) for any other; int64 {@code [count]}; null when the model ignores users.
     */
    public NDArray userRows(int[] users, int from, int count, NDManager manager) {
        if (!readsUsers()) {
            return null;
        }
        long[] rows = new long[count];
        int known = knownUsers();
        for (int r = 0; r < count; r++) {
            int u = users[from + r];
            rows[r] = u >= 0 && u < known ? u + 1L : 0L;
        }
        return manager.create(rows);
    }

    /** The name of the item embedding table in {@link #params()}: {@code [n + 1, D]}. */
    protected abstract String itemTable();

    /**
     * Hidden states at every position, {@code [B, L, D]}, for regimes that train on all positions
     * ({@code all-positions}, Cloze). Only models whose position {@code j} may be trained to predict
     * an item (a causal model, or a masked one) implement it.
     */
    public NDArray encodeAll(Params.Bound p, NDArray ids, boolean training) {
        throw new UnsupportedOperationException(name() + " does not expose every position's state");
    }

    /** Item embeddings of {@code ids} (int64, any shape), shape {@code ids.shape + [D]}. */
    public NDArray itemEmbeddings(Params.Bound p, NDArray ids) {
        return Nn.embedding(ids, p.get(itemTable()));
    }

    /**
     * The weights whose row {@code i} belongs to item index {@code i} (row 0 padding, rows after n extra
     * tokens): the item table, the item bias, any other item table a model has. What an export writes the
     * item ids beside, and an import reorders to the dataset's ids.
     */
    public java.util.List<String> itemIndexedWeights() {
        return itemBias() == null ? java.util.List.of(itemTable()) : java.util.List.of(itemTable(), itemBias());
    }

    /** The name of a per-item score bias {@code [rows of the item table]} in {@link #params()}, or null. */
    protected String itemBias() {
        return null;
    }

    /**
     * Scores of items {@code ids} for representations {@code rep}: {@code rep [..., D]} and
     * {@code ids [...]} with the same leading shape give {@code [...]}: the dot product with the item
     * table, plus the item's bias when the model has one ({@link #itemBias}).
     */
    public NDArray scoreItems(Params.Bound p, NDArray rep, NDArray ids) {
        NDArray scores = rep.mul(itemEmbeddings(p, ids)).sum(new int[] {-1});
        return itemBias() == null ? scores : scores.add(Nn.embedding(ids, p.get(itemBias()).expandDims(1)).squeeze(-1));
    }

    /**
     * Scores of items 0..n (padding row 0 included; rows after n, such as a mask token, are not
     * answers): {@code [B, D] -> [B, n + 1]}.
     */
    public NDArray scoreAllItems(Params.Bound p, NDArray rep) {
        return scoreItemRange(p, rep, 0, numItems + 1);
    }

    /** Scores of the items {@code from .. to-1} of the item table: {@code [B, D] -> [B, to - from]}. */
    public NDArray scoreItemRange(Params.Bound p, NDArray rep, int from, int to) {
        NDArray table = p.get(itemTable());
        boolean whole = from == 0 && to == table.getShape().get(0);
        NDIndex rows = new NDIndex(from + ":" + to);
        NDArray scores = rep.matMul((whole ? table : table.get(rows)).transpose());
        if (itemBias() == null) {
            return scores;
        }
        NDArray bias = p.get(itemBias());
        return scores.add(whole ? bias : bias.get(rows));
    }

    /**
     * The most (user, item) pairs one pass of {@link #scorePairRange} evaluates by default: at evaluation each pass's
     * intermediates are freed before the next (AutoInt keeps about 15 KB per pair while a pass runs: ~120 MB a pass).
     */
    public static final int PAIRS_PER_PASS = 1 << 13;

    private int pairsPerPass = PAIRS_PER_PASS;

    /** Sets the pairs per pass of {@link #scorePairRange} (tests force several passes); returns this. */
    public NeuralSeqModel pairsPerPass(int pairs) {
        if (pairs < 1) {
            throw new IllegalArgumentException("pairs per pass must be positive: " + pairs);
        }
        this.pairsPerPass = pairs;
        return this;
    }

    /** A score that is not a dot product: representations {@code rep [P, X]} and items {@code ids [P]} (int64) to {@code [P]}. */
    @FunctionalInterface
    protected interface PairScorer {
        NDArray score(NDArray rep, NDArray ids);
    }

    /** {@link #scoreItems} for a {@link PairScorer}: {@code rep [..., X]} and {@code ids [...]} flattened to pairs and back. */
    protected static NDArray scorePairs(NDArray rep, NDArray ids, PairScorer scorer) {
        Shape shape = ids.getShape();
        long x = rep.getShape().get(rep.getShape().dimension() - 1);
        return scorer.score(rep.reshape(-1, x), ids.reshape(-1)).reshape(shape);
    }

    /**
     * {@link #scoreItemRange} for a {@link PairScorer}: every row of {@code rep [B, X]} with every item {@code from .. to-1},
     * in passes of at most {@link #pairsPerPass} pairs (the scorer runs once per pair): {@code [B, to - from]}. Outside
     * autograd (evaluation, serving) each pass runs in its own native-memory scope and only its scores are kept, so the
     * memory of a call is one pass's intermediates plus the {@code [B, to - from]} scores, whatever the catalogue.
     */
    protected NDArray scorePairRange(NDArray rep, int from, int to, PairScorer scorer) {
        long b = rep.getShape().get(0);
        long x = rep.getShape().get(1);
        int chunk = (int) Math.max(1, Math.min(to - from, pairsPerPass / Math.max(1, b)));
        NDManager m = rep.getManager();
        boolean release = !JniUtils.isGradMode(); // while recording, autograd needs every pass's intermediates
        ai.djl.ndarray.NDList parts = new ai.djl.ndarray.NDList();
        for (int at = from; at < to; at += chunk) {
            int c = Math.min(chunk, to - at);
            if (!release) {
                parts.add(scorePass(rep, m, at, c, b, x, scorer));
                continue;
            }
            try (NDManager pass = m.newSubManager()) {
                rep.tempAttach(pass); // what is computed from rep lands in the pass's scope; rep returns to m after it
                NDArray part = scorePass(rep, pass, at, c, b, x, scorer);
                part.attach(m);
                parts.add(part);
            }
        }
        return parts.size() == 1 ? parts.get(0) : ai.djl.ndarray.NDArrays.concat(parts, 1);
    }

    /** The scores of rows {@code rep [B, X]} with items {@code at .. at + c - 1}: {@code [B, c]}. */
    private static NDArray scorePass(NDArray rep, NDManager m, int at, int c, long b, long x, PairScorer scorer) {
        NDArray ids = m.arange((long) at, (long) at + c, 1L, ai.djl.ndarray.types.DataType.INT64).expandDims(0).broadcast(b, c).reshape(-1);
        NDArray reps = rep.expandDims(1).broadcast(b, c, x).reshape(b * c, x);
        return scorer.score(reps, ids).reshape(b, c);
    }

    /** The input ids the model reads for a user's history at evaluation: left-padded {@code [B, L]}. */
    protected NDArray evalInputs(HistoryBatch batch, NDManager manager) {
        return batch.paddedInputs(manager, maxLen);
    }

    /** The batch's user rows ({@link #userRows}), or null when the model ignores users. */
    private NDArray evalUsers(HistoryBatch batch, NDManager manager) {
        if (!readsUsers()) {
            return null;
        }
        int[] users = new int[batch.size()];
        for (int b = 0; b < users.length; b++) {
            users[b] = batch.user(b);
        }
        return userRows(users, 0, users.length, manager);
    }

    @Override
    public int numItems() {
        return numItems;
    }

    @Override
    public int maxLen() {
        return maxLen;
    }

    @Override
    public NDArray scoreAll(HistoryBatch batch, NDManager manager) {
        JniUtils.setGradMode(false); // per thread in PyTorch: callers may be any thread
        Params.Bound p = params.bind(manager);
        return scoreAllItems(p, encodeLast(p, evalInputs(batch, manager), evalUsers(batch, manager), false));
    }

    @Override
    public NDArray scoreCandidates(HistoryBatch batch, NDArray candidates, NDManager manager) {
        JniUtils.setGradMode(false);
        Params.Bound p = params.bind(manager);
        NDArray rep = encodeLast(p, evalInputs(batch, manager), evalUsers(batch, manager), false); // [B, D]
        long c = candidates.getShape().get(1);
        return scoreItems(p, rep.expandDims(1).broadcast(rep.getShape().get(0), c, rep.getShape().get(1)), candidates);
    }

    /** The representation at the last position of {@code [B, L, D]} states: {@code [B, D]}. */
    protected static NDArray last(NDArray states) {
        return states.get(new NDIndex(":, -1, :"));
    }

    @Override
    public void save(Path dir) {
        params.save(dir.resolve(WEIGHTS));
    }

    /** Loads weights saved by {@link #save}. */
    public void load(Path dir) {
        params.load(dir.resolve(WEIGHTS));
    }

    @Override
    public void close() {
        // the weights belong to the manager given at construction; its owner closes it
    }
}
