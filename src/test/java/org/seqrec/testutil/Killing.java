package org.seqrec.testutil;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.data.SplitMix64;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.nn.Params;
import org.seqrec.train.Regime;

/** A training regime that dies in the middle of an epoch, like a killed process: for exact-resume tests. */
public final class Killing {
    private Killing() {}

    /** What the wrapped regime throws. */
    public static final class Killed extends RuntimeException {}

    /** {@code inner}, except that batch {@code batch} (1-based) of epoch {@code epoch} throws {@link Killed} instead of computing its loss. */
    public static Regime at(Regime inner, int epoch, int batch) {
        int[] epochs = {0};
        return new Regime() {
            @Override
            public String name() {
                return inner.name();
            }

            @Override
            public boolean updates(NeuralSeqModel model, String weight, int epochNumber) {
                return inner.updates(model, weight, epochNumber);
            }

            @Override
            public Regime.Epoch epoch(LeaveOneOut split, int maxLen, SplitMix64 rng, int epochNumber) {
                Regime.Epoch e = inner.epoch(split, maxLen, rng, epochNumber);
                epochs[0]++;
                return new Regime.Epoch() {
                    int batches;

                    @Override
                    public int size() {
                        return e.size();
                    }

                    @Override
                    public NDArray loss(NeuralSeqModel model, Params.Bound p, int from, int to, NDManager m) {
                        if (epochs[0] == epoch && ++batches == batch) {
                            throw new Killed();
                        }
                        return e.loss(model, p, from, to, m);
                    }
                };
            }
        };
    }
}
