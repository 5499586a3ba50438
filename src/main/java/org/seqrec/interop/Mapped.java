package org.seqrec.interop;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint mapped onto a seqrec model: which model with which hyper-parameters, each seqrec weight
 * with the checkpoint key it came from, the weights whose rows are item indices (reordered to the
 * dataset's item ids on import) and notes for the provenance file.
 */
public final class Mapped {
    private final String model;
    private final Map<String, Object> params = new LinkedHashMap<>();
    private final Map<String, Tensor> weights = new LinkedHashMap<>();
    private final Map<String, String> sourceKeys = new LinkedHashMap<>();
    private final List<String> itemTables = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<String, String> required = new LinkedHashMap<>();

    public Mapped(String model) {
        this.model = model;
    }

    public String model() {
        return model;
    }

    public Mapped param(String name, Object value) {
        params.put(name, value);
        return this;
    }

    /** Weight {@code name} of the seqrec model is {@code t}, read from the checkpoint's {@code sourceKey}. */
    public Mapped weight(String name, String sourceKey, Tensor t) {
        weights.put(name, t);
        sourceKeys.put(name, sourceKey);
        return this;
    }

    /** As {@link #weight}, for a table whose row {@code i} belongs to item index {@code i} (row 0: padding). */
    public Mapped itemTable(String name, String sourceKey, Tensor t) {
        itemTables.add(name);
        return weight(name, sourceKey, t);
    }

    /** A param the model needs that the checkpoint does not hold: the import asks for it ({@code --param}) unless mapped. */
    public Mapped requires(String param, String what) {
        required.put(param, what);
        return this;
    }

    public Map<String, String> required() {
        return Collections.unmodifiableMap(required);
    }

    public Mapped note(String text) {
        notes.add(text);
        return this;
    }

    public Map<String, Object> params() {
        return Collections.unmodifiableMap(params);
    }

    public Map<String, Tensor> weights() {
        return Collections.unmodifiableMap(weights);
    }

    /** seqrec weight name to the checkpoint key it came from. */
    public Map<String, String> sourceKeys() {
        return Collections.unmodifiableMap(sourceKeys);
    }

    public List<String> itemTables() {
        return Collections.unmodifiableList(itemTables);
    }

    public List<String> notes() {
        return Collections.unmodifiableList(notes);
    }
}
