package org.seqrec.model;

import org.seqrec.util.SeqrecException;

/**
 * What a neural model is trained to predict (protocols.md section 3), declared by the model and mapped
 * to a training regime by {@code org.seqrec.train.Training}: models never see the trainer.
 */
public sealed interface Objective {
    /** The regime's name as runs record it ({@code history.jsonl}'s {@code regime}) and {@code --param regime=} takes. */
    String name();

    /** The next item after every prefix, from the state at position L-1, with one sampled negative (BCE). */
    record Prefix() implements Objective {
        @Override
        public String name() {
            return "prefix";
        }
    }

    /** The next item after every prefix, from the state at position L-1, softmax over all items (CE). */
    record PrefixCe() implements Objective {
        @Override
        public String name() {
            return "prefix-CE";
        }
    }

    /** The next item at every position of a user's training sequence, one sampled negative per position. */
    record AllPositions() implements Objective {
        @Override
        public String name() {
            return "all-positions";
        }
    }

    /**
     * The next item at every position of a user's training sequence (the last L items), softmax cross-entropy against
     * every item at each real position (LRURec's authors' training).
     */
    record AllPositionsCe() implements Objective {
        @Override
        public String name() {
            return "all-positions-CE";
        }
    }

    /**
     * The model's own loss over the prefix-CE samples (the next item after every prefix of the training part), with
     * the model choosing per epoch which weights are updated: a {@link OwnLossModel} (CLEA's staged, alternating
     * training). {@code name} is the regime's name in a run's history.
     */
    record ModelLoss(String name) implements Objective {}

    /**
     * Masked items (Cloze) with probability {@code maskProb}, plus the last item masked; the model must be a
     * {@link MaskedItemModel}.
     */
    record Cloze(float maskProb) implements Objective {
        public Cloze {
            if (!(maskProb > 0f && maskProb <= 1f)) {
                throw new SeqrecException("mask_prob must be in (0, 1], got " + maskProb);
            }
        }

        @Override
        public String name() {
            return "cloze";
        }
    }
}
