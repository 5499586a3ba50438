package org.seqrec.interop;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.seqrec.util.SeqrecException;

/**
 * A checkpoint's tensors by key, as a source's mapping consumes them: {@link #take} marks a key used, and
 * {@link #checkAllUsed} refuses a checkpoint with keys nobody mapped (a different model or variant).
 *
 * @param file where it was read from, for messages
 */
public final class Checkpoint {
    private final Path file;
    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;
    private final Map<String, Object> extras;
    private final Set<String> used = new LinkedHashSet<>();

    public Checkpoint(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        this(file, tensors, metadata, Map.of());
    }

    /** @param extras what a checkpoint dict holds beside its state dict ({@code config}, {@code epoch}, ...) */
    public Checkpoint(Path file, Map<String, Tensor> tensors, Map<String, String> metadata, Map<String, Object> extras) {
        this.file = file;
        this.tensors = new LinkedHashMap<>(tensors);
        this.metadata = metadata == null ? Map.of() : metadata;
        this.extras = extras;
    }

    /** An entry of the checkpoint dict beside the state dict (RecBole's {@code config}), or null. */
    public Object extra(String key) {
        return extras.get(key);
    }

    public Path file() {
        return file;
    }

    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /** String metadata (safetensors' {@code __metadata__}); empty for a PyTorch file. */
    public Map<String, String> metadata() {
        return metadata;
    }

    public boolean has(String key) {
        return tensors.containsKey(key);
    }

    /** The tensor at {@code key}, marked used; a clear error naming the key when it is missing. */
    public Tensor take(String key) {
        Tensor t = tensors.get(key);
        if (t == null) {
            throw new SeqrecException("checkpoint " + file + " has no tensor '" + key + "', which this model needs");
        }
        if (!t.isFloating()) {
            throw new SeqrecException("checkpoint " + file + ": tensor '" + key + "' is " + t.dtype() + ", a weight must be floating");
        }
        used.add(key);
        return t;
    }

    /** The tensor at {@code key}, checked to have {@code shape}, marked used. */
    public Tensor take(String key, long... shape) {
        Tensor t = take(key);
        if (!java.util.Arrays.equals(t.shape(), shape)) {
            throw new SeqrecException("checkpoint " + file + ": tensor '" + key + "' has shape " + t.shapeText() + ", expected "
                    + java.util.Arrays.toString(shape));
        }
        return t;
    }

    /** Marks keys that are read but not weights of the model (e.g. a constant buffer that was checked). */
    public void ignore(String key) {
        used.add(key);
    }

    /** Refuses the checkpoint when a key was not used: it is not the model (or variant) the source maps. */
    public void checkAllUsed(String what) {
        Set<String> unknown = new TreeSet<>(tensors.keySet());
        unknown.removeAll(used);
        if (!unknown.isEmpty()) {
            List<String> shown = unknown.stream().limit(12).toList();
            throw new SeqrecException("checkpoint " + file + " has tensors " + what + " does not have: " + shown
                    + (unknown.size() > shown.size() ? " and " + (unknown.size() - shown.size()) + " more" : "")
                    + " (a different model or variant?)");
        }
    }
}
