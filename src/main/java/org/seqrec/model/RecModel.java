package org.seqrec.model;

import java.nio.file.Path;

/** A trained model: it scores items (see {@link Scorer}) and saves its weights. */
public interface RecModel extends Scorer, AutoCloseable {
    /** The registry name, e.g. {@code pop}. */
    String name();

    /** The number of most recent items the model reads (0 when it ignores the history). */
    int maxLen();

    /** Writes the weights into {@code dir} (the run's {@code model/} directory), atomically per file. */
    void save(Path dir);

    @Override
    default void close() {}
}
