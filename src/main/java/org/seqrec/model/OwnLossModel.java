package org.seqrec.model;

import ai.djl.ndarray.NDArray;
import org.seqrec.nn.Params;

/**
 * A model trained by a loss of its own ({@link Objective.ModelLoss}): the trainer hands it batches of prefix
 * samples and asks it, per epoch, which weights the update may change (CLEA pretrains its encoder, then alternates
 * epochs that train only its denoising generator with epochs that train only its encoder and likelihood head).
 */
public interface OwnLossModel {
    /**
     * The mean loss of samples with inputs {@code ids} int64 {@code [B, L]} (left-padded) and next items
     * {@code targets} int64 {@code [B]}, at {@code step}. Random draws come from {@code p.dropoutRng()} so that a
     * resumed run repeats them.
     */
    NDArray loss(Params.Bound p, NDArray ids, NDArray targets, Step step);

    /** Whether the update of epoch {@code epoch} (1-based) changes weight {@code weight}; the others keep their values. */
    boolean updates(String weight, int epoch);

    /**
     * Where training is: epoch (1-based) and the count of batches trained before this one since the run started
     * ({@code batchesPerEpoch} each epoch, the last possibly short).
     */
    record Step(int epoch, long batch, int batchesPerEpoch) {}
}
