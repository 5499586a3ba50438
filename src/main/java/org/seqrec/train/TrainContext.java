package org.seqrec.train;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Map;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.eval.Evaluator;

/**
 * What a model needs to train or load: the split (null when only loading), its hyper-parameters,
 * the seed, a manager for native memory, the run directory, the validation evaluator (null when
 * loading), and whether to resume from the run's last checkpoint.
 */
public record TrainContext(LeaveOneOut split, Map<String, Object> params, long seed, NDManager manager, Path runDir,
        Evaluator validation, boolean resume) {

    public int intParam(String name, int dflt) {
        Object v = params.get(name);
        return v == null ? dflt : ((Number) v).intValue();
    }

    public double doubleParam(String name, double dflt) {
        Object v = params.get(name);
        return v == null ? dflt : ((Number) v).doubleValue();
    }

    /** The item vocabulary size recorded in the run's {@code item_map.tsv} (for loading a model). */
    public int numItemsFromRun() {
        return org.seqrec.data.IdMap.read(runDir.resolve("item_map.tsv")).size();
    }

    public String stringParam(String name, String dflt) {
        Object v = params.get(name);
        return v == null ? dflt : v.toString();
    }
}
