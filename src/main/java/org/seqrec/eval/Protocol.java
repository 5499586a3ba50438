package org.seqrec.eval;

import java.util.List;
import java.util.Locale;
import org.seqrec.util.SeqrecException;

/** The evaluation protocols of protocols.md section 4. */
public enum Protocol {
    /** The target against 99 fixed negatives (ConvFormer, FMLP-Rec). */
    SAMPLED(99, List.of("HR@1", "HR@5", "HR@10", "NDCG@5", "NDCG@10", "MRR"), "MRR"),
    /** The target against 100 fixed negatives (AdaMCT's uni100). */
    UNI100(100, List.of("HR@1", "HR@5", "HR@10", "NDCG@5", "NDCG@10", "MRR"), "MRR"),
    /** The target against every item not in the input sequence. */
    FULL(0, List.of("HR@5", "HR@10", "HR@20", "NDCG@5", "NDCG@10", "NDCG@20", "MRR@5", "MRR@10", "MRR"), "NDCG@10");

    private final int negatives;
    private final List<String> reported;
    private final String selection;

    Protocol(int negatives, List<String> reported, String selection) {
        this.negatives = negatives;
        this.reported = reported;
        this.selection = selection;
    }

    /** Negatives per user (0 for full ranking). */
    public int negatives() {
        return negatives;
    }

    public boolean sampled() {
        return negatives > 0;
    }

    /** The metrics the papers report for this protocol, in table order. */
    public List<String> reportedMetrics() {
        return reported;
    }

    /** The validation metric used for early stopping / model selection. */
    public String selectionMetric() {
        return selection;
    }

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Protocol parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new SeqrecException("unknown protocol '" + s + "' (known: sampled, uni100, full)");
        }
    }
}
