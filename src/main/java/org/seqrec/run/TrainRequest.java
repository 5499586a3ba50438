package org.seqrec.run;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import org.seqrec.data.DataSource;
import org.seqrec.eval.Protocol;

/**
 * What to train and where: build one with {@link #builder}, which names every setting.
 *
 * @param model the registry name, e.g. {@code convformer}
 * @param params hyper-parameters laid over the model's defaults
 * @param data the dataset
 * @param out the run directory
 * @param seed weight initialisation, shuffling, negatives of training and dropout
 * @param protocol the evaluation protocol (validation for early stopping, and the results)
 * @param negatives a fixed negatives file for a sampled protocol, or null (the run's own, else drawn)
 * @param negativesSeed the seed a sampled protocol's negatives are derived from, or null (the run's own, else the default seed)
 * @param evaluate whether to evaluate on valid and test after training
 * @param evalBatch users per evaluation batch
 * @param overwrite whether to replace an existing run directory
 * @param resume whether to continue the run's last checkpoint
 * @param keepHistories whether the run keeps every user's history for recommendations by user id ({@link HistoryStore})
 */
public record TrainRequest(String model, Map<String, Object> params, DataSource data, Path out, long seed, Protocol protocol,
        Path negatives, Long negativesSeed, boolean evaluate, int evalBatch, boolean overwrite, boolean resume,
        boolean keepHistories) {

    public TrainRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(protocol, "protocol");
        params = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
    }

    /** A request for {@code model} on {@code data} into {@code out}: full ranking, seed 42, evaluated, fresh, histories kept. */
    public static Builder builder(String model, DataSource data, Path out) {
        return new Builder(model, data, out);
    }

    /** Named settings of a {@link TrainRequest}; each defaults as {@link #builder} says. */
    public static final class Builder {
        private final String model;
        private final DataSource data;
        private final Path out;
        private Map<String, Object> params = Map.of();
        private long seed = 42;
        private Protocol protocol = Protocol.FULL;
        private Path negatives;
        private Long negativesSeed;
        private boolean evaluate = true;
        private int evalBatch = 256;
        private boolean overwrite;
        private boolean resume;
        private boolean keepHistories = true;

        private Builder(String model, DataSource data, Path out) {
            this.model = model;
            this.data = data;
            this.out = out;
        }

        public Builder params(Map<String, Object> params) {
            this.params = params;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder protocol(Protocol protocol) {
            this.protocol = protocol;
            return this;
        }

        public Builder negatives(Path file) {
            this.negatives = file;
            return this;
        }

        public Builder negativesSeed(Long seed) {
            this.negativesSeed = seed;
            return this;
        }

        public Builder evaluate(boolean evaluate) {
            this.evaluate = evaluate;
            return this;
        }

        public Builder evalBatch(int users) {
            this.evalBatch = users;
            return this;
        }

        public Builder overwrite(boolean overwrite) {
            this.overwrite = overwrite;
            return this;
        }

        public Builder resume(boolean resume) {
            this.resume = resume;
            return this;
        }

        public Builder keepHistories(boolean keep) {
            this.keepHistories = keep;
            return this;
        }

        public TrainRequest build() {
            return new TrainRequest(model, params, data, out, seed, protocol, negatives, negativesSeed, evaluate, evalBatch, overwrite,
                    resume, keepHistories);
        }
    }
}
