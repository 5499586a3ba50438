package org.seqrec.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Path;
import org.seqrec.eval.EvalBatch;
import org.seqrec.model.layers.Params;

/**
 * A neural sequence model: item ids {@code [B, L]} in, hidden states out, items scored by their dot
 * product with the (shared) item embedding table. Subclasses define {@link #encodeLast}; scoring,
 * saving and loading are written once here.
 */
public abstract class NeuralSeqModel implements RecModel {
    static final String WEIGHTS = "weights.bin";

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
    public abstract NDArray encodeLast(Params.Bound p, NDArray ids, boolean training);

    /** The name of the item embedding table in {@link #params()}: {@code [n + 1, D]}. */
    protected abstract String itemTable();

    /** Item embeddings of {@code ids} (int64, any shape), shape {@code ids.shape + [D]}. */
    public NDArray itemEmbeddings(Params.Bound p, NDArray ids) {
        return org.seqrec.model.layers.Nn.embedding(ids, p.get(itemTable()));
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
    public NDArray scoreAll(EvalBatch batch, NDManager manager) {
        JniUtils.setGradMode(false); // per thread in PyTorch: callers may be any thread
        Params.Bound p = params.bind(manager);
        NDArray rep = encodeLast(p, batch.paddedInputs(manager, maxLen), false);
        return rep.matMul(p.get(itemTable()).transpose());
    }

    @Override
    public NDArray scoreCandidates(EvalBatch batch, NDArray candidates, NDManager manager) {
        JniUtils.setGradMode(false);
        Params.Bound p = params.bind(manager);
        NDArray rep = encodeLast(p, batch.paddedInputs(manager, maxLen), false); // [B, D]
        NDArray cand = itemEmbeddings(p, candidates); // [B, C, D]
        return cand.batchMatMul(rep.expandDims(2)).squeeze(2);
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
