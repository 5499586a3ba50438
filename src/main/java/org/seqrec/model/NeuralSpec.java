package org.seqrec.model;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Map;
import org.seqrec.util.SeqrecException;

/**
 * The registry entry of a neural model: how to build it from a run's params and which {@link Objective}
 * it is trained for; loading saved weights is written once here.
 */
public abstract class NeuralSpec implements ModelSpec {
    private final String name;
    private final String description;

    protected NeuralSpec(String name, String description) {
        this.name = name;
        this.description = description;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return description;
    }

    /**
     * The param a model that reads user ids ({@link #readsUsers()}) is built with: how many users it has rows for,
     * set by training to the dataset's user count (and recorded in the run's config), whatever a user passes.
     */
    public static final String NUM_USERS = "num_users";

    /**
     * Whether the model reads user ids ({@link NeuralSeqModel#readsUsers()}): training then sets {@link #NUM_USERS}
     * and the run keeps its user map for serving by user id.
     */
    public boolean readsUsers() {
        return false;
    }

    /**
     * The params a run records beyond the user's, taken from the data it trains on: {@link #NUM_USERS} (the dataset's
     * user count) for a model that reads user ids, else nothing; models with side data (the CTR model's feature
     * tables) add what building them needs. Returns a new map; {@code params} is not changed.
     */
    public Map<String, Object> dataParams(Map<String, Object> params, org.seqrec.data.Dataset data) {
        Map<String, Object> out = new java.util.LinkedHashMap<>(params);
        if (readsUsers()) {
            out.put(NUM_USERS, data.numUsers());
        }
        return out;
    }

    /**
     * The untrained model for training on {@code data} with params from {@link #dataParams}: {@link #build(NDManager, int, Map)}
     * unless the model reads side data of the dataset's users or items (the CTR model's features).
     */
    public NeuralSeqModel build(NDManager manager, org.seqrec.data.Dataset data, Map<String, Object> params) {
        return build(manager, data.numItems(), params);
    }

    /** The untrained model for {@code numItems} items and a run's (defaults-merged) params. */
    public abstract NeuralSeqModel build(NDManager manager, int numItems, Map<String, Object> params);

    /** The objective the model is trained for (protocols.md section 3); the prefix objective unless overridden. */
    public Objective objective(Map<String, Object> params) {
        return new Objective.Prefix();
    }

    /**
     * The objective a run trains for: the model's own ({@link #objective}) unless the run's params name
     * another with {@code regime}: {@code prefix} or {@code prefix-CE}, which every model can train for
     * (both read only the state at position L-1), e.g. to compare architectures under one loss; and
     * {@code all-positions} or {@code all-positions-CE} for a causal model ({@link #trainsEveryPosition}).
     */
    public final Objective trainingObjective(Map<String, Object> params) {
        Objective own = objective(params);
        Object wanted = params.get("regime");
        if (wanted == null || own.name().equals(wanted)) {
            return own;
        }
        boolean everyPosition = trainsEveryPosition(params);
        return switch (String.valueOf(wanted)) {
            case "prefix" -> new Objective.Prefix();
            case "prefix-CE" -> new Objective.PrefixCe();
            case "all-positions", "all-positions-CE" -> {
                if (!everyPosition) {
                    throw notEveryPosition(wanted, own);
                }
                yield "all-positions".equals(wanted) ? new Objective.AllPositions() : new Objective.AllPositionsCe();
            }
            default -> throw new SeqrecException("unknown regime '" + wanted + "' for " + name()
                    + ": use prefix, prefix-CE or the model's own, " + own.name()
                    + (everyPosition ? ", or all-positions / all-positions-CE" : ""));
        };
    }

    /**
     * Whether a run may train every position's state ({@code all-positions}, {@code all-positions-CE}): the model's own
     * regime does, or the model declares itself {@link #causal}. {@code CausalityTest} checks every model this holds for.
     */
    public final boolean trainsEveryPosition(Map<String, Object> params) {
        Objective own = objective(params);
        return own instanceof Objective.AllPositions || own instanceof Objective.AllPositionsCe || causal();
    }

    /**
     * Whether position j's state ({@link NeuralSeqModel#encodeAll}) reads the items up to j only, for a model its
     * authors train otherwise (Mamba4Rec: RecBole's last-position loss), so that the every-position regimes are open
     * to it as an option.
     */
    protected boolean causal() {
        return false;
    }

    private SeqrecException notEveryPosition(Object wanted, Objective own) {
        return new SeqrecException("regime '" + wanted + "' trains every position's state: " + name()
                + " is not causal (its regime is " + own.name() + "); use prefix, prefix-CE or " + own.name());
    }

    @Override
    public RecModel load(Path modelDir, int numItems, Map<String, Object> params, NDManager manager) {
        NeuralSeqModel model = build(manager, numItems, params);
        model.load(modelDir);
        return model;
    }
}
