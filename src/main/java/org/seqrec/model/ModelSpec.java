package org.seqrec.model;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Map;

/**
 * One architecture in the registry ({@code org.seqrec.model.zoo.ModelRegistry}): its defaults and how to load
 * it back. How it is trained is said by its kind: a {@link NeuralSpec} declares an {@link Objective} that
 * {@code org.seqrec.train} trains with its own loop; a {@link FittedSpec} is fitted in closed form.
 */
public interface ModelSpec {
    String name();

    /** One line for {@code seqrec train --help} and the README. */
    String description();

    /**
     * Default hyper-parameters of the model (paper settings); a neural model's training settings (lr, batch,
     * epochs...) default to the trainer's unless listed here. A run's config records them merged with the user's.
     */
    default Map<String, Object> defaults() {
        return Map.of();
    }

    /**
     * Named settings ({@code --preset NAME}), e.g. a paper's tuned hyper-parameters per dataset: laid
     * over {@link #defaults()}, under the user's explicit settings. None unless the model has some.
     */
    default Map<String, Map<String, Object>> presets() {
        return Map.of();
    }

    /**
     * Loads the weights written by {@link RecModel#save} into {@code modelDir}, for a run over {@code numItems}
     * items with (defaults-merged) {@code params}; native memory from {@code manager}.
     */
    RecModel load(Path modelDir, int numItems, Map<String, Object> params, NDManager manager);
}
