package org.seqrec.model;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import org.seqrec.train.TrainContext;

/** One architecture in the {@link ModelRegistry}: how to train it and how to load it back. */
public interface ModelSpec {
    String name();

    /** One line for {@code seqrec train --help} and the README. */
    String description();

    /** Default hyper-parameters (paper settings); a run's config records them merged with the user's. */
    default java.util.Map<String, Object> defaults() {
        return java.util.Map.of();
    }

    /**
     * Named settings ({@code --preset NAME}), e.g. a paper's tuned hyper-parameters per dataset: laid
     * over {@link #defaults()}, under the user's explicit settings. None unless the model has some.
     */
    default java.util.Map<String, java.util.Map<String, Object>> presets() {
        return java.util.Map.of();
    }

    RecModel train(TrainContext context);

    /** Loads the weights written by {@link RecModel#save} for a run with configuration {@code context}. */
    RecModel load(Path modelDir, TrainContext context, NDManager manager);
}
