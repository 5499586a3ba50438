package org.seqrec.train;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Map;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.eval.Evaluator;

/**
 * What training needs: the split, the run's (defaults-merged) hyper-parameters, the seed, a manager for
 * native memory, the run directory (checkpoints), the validation evaluator (neural models), and whether to
 * resume from the run's last checkpoint.
 */
public record TrainContext(LeaveOneOut split, Map<String, Object> params, long seed, NDManager manager, Path runDir,
        Evaluator validation, boolean resume) {
}
