package org.seqrec.interop;

import java.util.List;
import java.util.Map;
import org.seqrec.util.SeqrecException;

/**
 * Where a checkpoint comes from: how its tensors map onto a seqrec model ({@link #map}) and, for export,
 * how a seqrec model's weights are named in that convention ({@link #export}). Exact or refused: a
 * checkpoint whose model differs from what seqrec computes is refused with the reason, never imported
 * approximately.
 */
public interface Source {
    /** The name {@code --from} takes. */
    String name();

    /** One line for {@code --help}. */
    String description();

    /** The import options this source takes ({@code padding}, ...): others are refused. */
    default List<String> options() {
        return List.of();
    }

    /** The checkpoint as a seqrec model, every tensor accounted for ({@link Checkpoint#checkAllUsed}). */
    Mapped map(Checkpoint checkpoint, Map<String, String> options);

    /**
     * The weights of a seqrec {@code model} with {@code params} under this source's names; refused where
     * the source's model cannot hold them exactly.
     */
    default Map<String, Tensor> export(String model, Map<String, Object> params, Map<String, Tensor> weights) {
        throw new SeqrecException("export in the " + name() + " convention is not supported");
    }

    /** The sources {@code seqrec import --from} knows. */
    static List<Source> all() {
        return List.of(new SeqrecSource(), new ConvFormerAuthors(), new RecBoleSource());
    }

    static Source of(String name) {
        for (Source s : all()) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        throw new SeqrecException("unknown checkpoint source '" + name + "' (known: "
                + String.join(", ", all().stream().map(Source::name).toList()) + ")");
    }
}
