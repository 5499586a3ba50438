package org.seqrec.model;

import java.util.Map;
import org.seqrec.data.LeaveOneOut;

/** The registry entry of a model fitted in closed form from the training part (no gradient training), e.g. PopRec. */
public interface FittedSpec extends ModelSpec {
    /** The model fitted on {@code split}'s training part with a run's (defaults-merged) params. */
    RecModel fit(LeaveOneOut split, Map<String, Object> params);
}
