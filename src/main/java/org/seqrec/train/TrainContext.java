package org.seqrec.train;

import ai.djl.ndarray.NDManager;
import java.util.Map;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.eval.Evaluator;

/**
 * What training needs: the split, the run's (defaults-merged) hyper-parameters, the seed, a manager for
 * native memory, where to write ({@link TrainFiles}), the validation evaluator (neural models), and whether to
 * resume from the run's last checkpoint.
 */
public record TrainContext(LeaveOneOut split, Map<String, Object> params, long seed, NDManager manager, TrainFiles files,
        Evaluator validation, boolean resume) {
}
