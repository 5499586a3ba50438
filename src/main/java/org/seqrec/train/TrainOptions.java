package org.seqrec.train;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.seqrec.util.SeqrecException;

/**
 * The trainer's settings, read from a run's params: the one place their defaults (Table C3) are written.
 *
 * @param lr Adam's learning rate
 * @param weightDecay Adam's decoupled weight decay
 * @param batch training samples per batch
 * @param epochs most epochs
 * @param patience epochs without a better validation score before stopping
 * @param maxBatches {@code > 0}: a partial epoch of that many batches, for timing and smoke runs
 * @param profileSteps {@code > 0}: profile the operators of that many steps of the first epoch
 * @param select the validation metric that selects the best epoch; null: the protocol's
 */
public record TrainOptions(double lr, double weightDecay, int batch, int epochs, int patience, int maxBatches, int profileSteps,
        String select) {
    public static final TrainOptions DEFAULTS = new TrainOptions(1e-3, 0.0, 256, 200, 10, 0, 0, null);

    /** Settings without a default value that a run may set, besides those of {@link #defaultParams()}. */
    public static final Set<String> OPTIONAL_PARAMS = Set.of("profile_steps", "max_batches", "select", "regime");

    public TrainOptions {
        if (batch < 1 || epochs < 1 || patience < 1 || !(lr > 0)) {
            throw new SeqrecException("batch, epochs and patience must be positive and lr > 0");
        }
    }

    /** The settings with a default, as a run's config records them (in this order). */
    public Map<String, Object> defaultParams() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lr", lr);
        m.put("weight_decay", weightDecay);
        m.put("batch", batch);
        m.put("epochs", epochs);
        m.put("patience", patience);
        return m;
    }

    /** The settings of a run's {@code params}, each missing one from {@link #DEFAULTS}. */
    public static TrainOptions from(Map<String, Object> params) {
        TrainOptions d = DEFAULTS;
        Object select = params.get("select");
        return new TrainOptions(real(params, "lr", d.lr), real(params, "weight_decay", d.weightDecay), integer(params, "batch", d.batch),
                integer(params, "epochs", d.epochs), integer(params, "patience", d.patience),
                integer(params, "max_batches", d.maxBatches), integer(params, "profile_steps", d.profileSteps),
                select == null ? d.select : select.toString());
    }

    private static int integer(Map<String, Object> params, String key, int dflt) {
        Object v = params.get(key);
        return v == null ? dflt : ((Number) v).intValue();
    }

    private static double real(Map<String, Object> params, String key, double dflt) {
        Object v = params.get(key);
        return v == null ? dflt : ((Number) v).doubleValue();
    }
}
