package org.seqrec.model;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Map;
import org.seqrec.train.Regime;
import org.seqrec.train.TrainContext;
import org.seqrec.train.Trainer;

/**
 * The registry entry of a neural model: how to build it from a run's params and which training
 * regime it uses; training with the shared {@link Trainer} and loading saved weights are written
 * once here.
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

    /** The untrained model for {@code numItems} items and a run's (defaults-merged) params. */
    public abstract NeuralSeqModel build(NDManager manager, int numItems, Map<String, Object> params);

    /** The regime the model trains in (protocols.md section 3); the prefix regime unless overridden. */
    public Regime regime(Map<String, Object> params) {
        return new org.seqrec.train.PrefixRegime();
    }

    /**
     * The regime a run trains in: the model's own ({@link #regime}) unless the run's params name
     * another with {@code regime}: {@code prefix} or {@code prefix-CE}, which every model can train in
     * (both read only the state at position L-1), e.g. to compare architectures under one loss.
     */
    public Regime trainingRegime(Map<String, Object> params) {
        Regime own = regime(params);
        Object wanted = params.get("regime");
        if (wanted == null || own.name().equals(wanted)) {
            return own;
        }
        return switch (String.valueOf(wanted)) {
            case "prefix" -> new org.seqrec.train.PrefixRegime();
            case "prefix-CE" -> new org.seqrec.train.PrefixCeRegime();
            default -> throw new org.seqrec.util.SeqrecException("unknown regime '" + wanted + "' for " + name()
                    + ": use prefix, prefix-CE or the model's own, " + own.name());
        };
    }

    @Override
    public RecModel train(TrainContext context) {
        NeuralSeqModel model = build(context.manager(), context.split().data().numItems(), context.params());
        new Trainer(context).fit(model, trainingRegime(context.params()));
        return model;
    }

    @Override
    public RecModel load(Path modelDir, TrainContext context, NDManager manager) {
        NeuralSeqModel model = build(manager, context.numItemsFromRun(), context.params());
        model.load(modelDir);
        return model;
    }
}
