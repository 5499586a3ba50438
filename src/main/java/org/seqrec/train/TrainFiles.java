package org.seqrec.train;

import java.nio.file.Path;

/**
 * Where training writes, named by the run directory's owner ({@code org.seqrec.run.RunDir#trainFiles}).
 * The inside of {@code checkpoints} is the trainer's own format: one folder per committed epoch (weights,
 * optimizer state, history, manifest) and {@link #state()}.
 *
 * @param dir the run directory (stale temporary files of a killed writer are removed from it)
 * @param checkpoints the checkpoint folder
 * @param bestWeights where the best epoch's weights are kept (the model's weights file)
 * @param history the per-epoch log, one JSON object a line
 * @param cost the training cost record
 * @param profile the operator profile's summary (Markdown)
 * @param profileTrace the operator profile's raw trace
 */
public record TrainFiles(Path dir, Path checkpoints, Path bestWeights, Path history, Path cost, Path profile, Path profileTrace) {
    /** The early-stopping state of the last committed checkpoint. */
    public Path state() {
        return checkpoints.resolve("state.json");
    }
}
