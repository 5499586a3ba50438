package org.seqrec.train;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.seqrec.model.FittedSpec;
import org.seqrec.model.ModelSpec;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.model.NeuralSpec;
import org.seqrec.model.Objective;
import org.seqrec.model.RecModel;
import org.seqrec.util.SeqrecException;

/**
 * How each kind of model is trained: a {@link NeuralSpec}'s {@link Objective} maps to its {@link Regime} and the
 * shared {@link Trainer} loop; a {@link FittedSpec} is fitted on the training part. Models never import this
 * package (as in RecBole, where a model defines its loss and a factory picks the trainer).
 */
public final class Training {
    private Training() {}

    /** The regime that trains for {@code objective}. */
    public static Regime regime(Objective objective) {
        if (objective instanceof Objective.Prefix) {
            return new PrefixRegime();
        }
        if (objective instanceof Objective.PrefixCe) {
            return new PrefixCeRegime();
        }
        if (objective instanceof Objective.AllPositions) {
            return new AllPositionsRegime();
        }
        if (objective instanceof Objective.AllPositionsCe) {
            return new AllPositionsCeRegime();
        }
        if (objective instanceof Objective.ModelLoss own) {
            return new ModelLossRegime(own.name());
        }
        if (objective instanceof Objective.Cloze cloze) {
            return new ClozeRegime(cloze.maskProb());
        }
        throw new IllegalArgumentException("no regime for " + objective);
    }

    /** The regime a run of {@code spec} with {@code params} trains in (its own objective or the one {@code regime} names). */
    public static Regime regime(NeuralSpec spec, Map<String, Object> params) {
        return regime(spec.trainingObjective(params));
    }

    /** Trains (or fits) the model of {@code spec} in {@code context}. */
    public static RecModel train(ModelSpec spec, TrainContext context) {
        if (spec instanceof NeuralSpec neural) {
            NeuralSeqModel model = neural.build(context.manager(), context.split().data(), context.params());
            new Trainer(context).fit(model, regime(neural, context.params()));
            return model;
        }
        if (spec instanceof FittedSpec fitted) {
            return fitted.fit(context.split(), context.params());
        }
        throw new SeqrecException("model " + spec.name() + " is neither neural nor fitted: cannot train it");
    }

    /** A run's default params for {@code spec}: the trainer's defaults (neural models) under the model's own. */
    public static Map<String, Object> defaults(ModelSpec spec) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (spec instanceof NeuralSpec) {
            m.putAll(TrainOptions.DEFAULTS.defaultParams());
        }
        m.putAll(spec.defaults());
        return m;
    }

    /** Every param a run of {@code spec} may set. */
    public static Set<String> knownParams(ModelSpec spec) {
        Set<String> known = new TreeSet<>(defaults(spec).keySet());
        if (spec instanceof NeuralSpec) {
            known.addAll(TrainOptions.OPTIONAL_PARAMS);
        }
        return known;
    }
}
