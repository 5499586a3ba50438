package org.seqrec.interop;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.seqrec.util.SeqrecException;

/**
 * The one-to-one names of a source's convention: seqrec weight name beside checkpoint key, written once
 * and read both ways (import: {@link #mapInto}; export: {@link #exportInto}). Shapes are checked on
 * import against the model ({@code Interop}), naming the checkpoint key.
 */
final class NameTable {
    private record Entry(String seqrec, String source, boolean itemTable) {}

    private final List<Entry> entries = new ArrayList<>();

    /** seqrec's {@code seqrec} is the checkpoint's {@code source}. */
    NameTable add(String seqrec, String source) {
        entries.add(new Entry(seqrec, source, false));
        return this;
    }

    /** As {@link #add}, for a table whose rows are item indices. */
    NameTable items(String seqrec, String source) {
        entries.add(new Entry(seqrec, source, true));
        return this;
    }

    /** Takes every entry's tensor from the checkpoint into the mapping. */
    void mapInto(Checkpoint ck, Mapped m) {
        for (Entry e : entries) {
            if (e.itemTable()) {
                m.itemTable(e.seqrec(), e.source(), ck.take(e.source()));
            } else {
                m.weight(e.seqrec(), e.source(), ck.take(e.source()));
            }
        }
    }

    /** Puts every entry's seqrec weight under the source's name. */
    void exportInto(Map<String, Tensor> weights, Map<String, Tensor> out) {
        for (Entry e : entries) {
            Tensor t = weights.get(e.seqrec());
            if (t == null) {
                throw new SeqrecException("the model has no weight " + e.seqrec() + " for " + e.source());
            }
            out.put(e.source(), t);
        }
    }
}
