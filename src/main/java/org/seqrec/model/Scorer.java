package org.seqrec.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Anything that scores items for a batch of users: every model implements it, and the
 * {@link Evaluator} and recommenders need nothing else. Arrays returned must be attached to the
 * given manager (the caller closes it at the end of the batch).
 */
public interface Scorer {
    /** The item vocabulary size {@code n}; item ids are {@code 1..n}. */
    int numItems();

    /**
     * Scores of every item for every input of the batch: float32 {@code [B, n + 1]}, column 0
     * (padding) is ignored. Neural models compute it as one matrix product of the user
     * representations with the item embedding table.
     */
    NDArray scoreAll(HistoryBatch batch, NDManager manager);

    /**
     * Scores of given candidates: {@code candidates} is int64 {@code [B, C]}, the result float32
     * {@code [B, C]}. The default gathers from {@link #scoreAll}; models can score only the
     * candidates' embeddings instead.
     */
    default NDArray scoreCandidates(HistoryBatch batch, NDArray candidates, NDManager manager) {
        return scoreAll(batch, manager).gather(candidates, 1);
    }
}
