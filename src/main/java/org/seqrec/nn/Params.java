package org.seqrec.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.seqrec.util.SealedFiles;
import org.seqrec.util.SeqrecException;

/**
 * The named weights of a model, owned by one manager. Layers register their weights here when they
 * are built and read them back during a forward pass through a {@link Bound} view, which holds
 * per-pass aliases attached to the pass's own manager: every array the pass creates is freed when
 * that manager closes, the weights themselves never move, and concurrent passes do not interfere.
 */
public final class Params {
    private final NDManager manager;
    private final Map<String, NDArray> arrays = new LinkedHashMap<>();
    private final Map<String, Boolean> trainable = new LinkedHashMap<>();

    public Params(NDManager manager) {
        this.manager = manager;
    }

    public NDManager manager() {
        return manager;
    }

    /** A trainable weight drawn from N(0, std^2) (uses the engine's seeded generator). */
    public String normal(String name, Shape shape, float std) {
        return add(name, manager.randomNormal(0f, std, shape, ai.djl.ndarray.types.DataType.FLOAT32), true);
    }

    /** A trainable weight drawn uniformly from [-bound, bound] (Xavier/Glorot when bound = sqrt(6 / (in + out))). */
    public String uniform(String name, Shape shape, float bound) {
        return add(name, manager.randomUniform(-bound, bound, shape, ai.djl.ndarray.types.DataType.FLOAT32), true);
    }

    /** A trainable weight starting from the given values (taken over: the array belongs to these params from now). */
    public String values(String name, NDArray value) {
        return add(name, value, true);
    }

    public String zeros(String name, Shape shape) {
        return add(name, manager.zeros(shape), true);
    }

    public String ones(String name, Shape shape) {
        return add(name, manager.ones(shape), true);
    }

    /** A frozen weight starting from the given values (taken over): saved with the model, never updated (side data, e.g. feature tables). */
    public String frozenValues(String name, NDArray value) {
        return add(name, value, false);
    }

    /**
     * Takes over every weight of {@code other} under its own name and trainability: a model built inside another
     * (the CTR model's interest extractor) is trained, saved and loaded with the outer one's weights, and reads them
     * through the outer model's {@link Bound}, which finds them by the same names.
     */
    public void adopt(Params other) {
        for (Map.Entry<String, NDArray> e : other.arrays.entrySet()) {
            add(e.getKey(), e.getValue(), other.trainable.get(e.getKey()));
        }
    }

    /** A frozen weight: saved with the model, never updated by the optimizer. */
    public String frozenNormal(String name, Shape shape, float std) {
        return add(name, manager.randomNormal(0f, std, shape, ai.djl.ndarray.types.DataType.FLOAT32), false);
    }

    private String add(String name, NDArray value, boolean train) {
        if (arrays.containsKey(name)) {
            throw new IllegalArgumentException("duplicate parameter " + name);
        }
        value.setName(name);
        if (train) {
            value.setRequiresGradient(true);
        }
        arrays.put(name, value);
        trainable.put(name, train);
        return name;
    }

    public NDArray get(String name) {
        NDArray a = arrays.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no parameter " + name);
        }
        return a;
    }

    /** All weights by name, in registration order. */
    public Map<String, NDArray> all() {
        return Collections.unmodifiableMap(arrays);
    }

    public boolean isTrainable(String name) {
        return trainable.get(name);
    }

    /** Number of scalar weights (trainable and frozen). */
    public long count() {
        long n = 0;
        for (NDArray a : arrays.values()) {
            n += a.getShape().size();
        }
        return n;
    }

    /** A float64 copy of these weights (same names, same trainability): for gradient checks. */
    public Params toFloat64() {
        Params copy = new Params(manager);
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            copy.add(e.getKey(), e.getValue().toType(ai.djl.ndarray.types.DataType.FLOAT64, true), trainable.get(e.getKey()));
        }
        return copy;
    }

    /** Aliases of every weight attached to {@code m}: read weights through this during one pass. */
    public Bound bind(NDManager m) {
        return new Bound(m, null);
    }

    /**
     * As {@link #bind(NDManager)}, for a training pass whose dropout masks on the CPU are drawn
     * from {@code dropoutRng} (see {@link Nn#dropout}).
     */
    public Bound bind(NDManager m, org.seqrec.data.SplitMix64 dropoutRng) {
        return new Bound(m, dropoutRng);
    }

    /** Per-pass weight aliases (autograd flows through them to the weights). */
    public final class Bound {
        private final NDManager m;
        private final org.seqrec.data.SplitMix64 rng;
        private final Map<String, NDArray> cache = new java.util.HashMap<>();

        private Bound(NDManager m, org.seqrec.data.SplitMix64 rng) {
            this.m = m;
            this.rng = rng;
        }

        public NDManager manager() {
            return m;
        }

        /** The pass's generator for dropout masks, or null (then the engine's dropout is used). */
        public org.seqrec.data.SplitMix64 dropoutRng() {
            return rng;
        }

        public NDArray get(String name) {
            NDArray a = cache.get(name);
            if (a == null) {
                NDArray w = Params.this.get(name);
                a = w.reshape(w.getShape()); // a view: new handle, same storage, gradient flows to w
                a.attach(m);
                cache.put(name, a);
            }
            return a;
        }
    }

    /** Writes every weight (names included), atomically. */
    public void save(Path file) {
        NDList list = new NDList();
        for (NDArray a : arrays.values()) {
            list.add(a);
        }
        SealedFiles.write(file, list.encode());
    }

    /**
     * The arrays saved in {@code file} by {@link #save} (or an optimizer's save), decoded into {@code tmp}
     * after the file's checksum is verified ({@link SealedFiles}).
     *
     * @throws SeqrecException when the file is missing, damaged or cannot be decoded
     */
    public static NDList readArrays(NDManager tmp, Path file, String what) {
        SealedFiles.Content content = SealedFiles.read(file, what);
        try {
            return NDList.decode(tmp, content.payload());
        } catch (RuntimeException e) {
            throw SealedFiles.damaged(file, what, "it cannot be decoded (" + e.getMessage() + ")");
        }
    }

    /** The values of {@code a} as floats, refused when any is NaN or infinite. */
    public static float[] finiteValues(NDArray a, Path file, String what) {
        float[] v = a.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new SeqrecException(what + " " + file + " hold a non-finite value (" + v[i] + ") in " + a.getName()
                        + " at index " + i + ": the run diverged or the file was damaged; it cannot be used");
            }
        }
        return v;
    }

    /**
     * Replaces the weights' values with those saved in {@code file}; names and shapes must match, the
     * file's checksum must hold and every value must be finite, else nothing is changed.
     */
    public void load(Path file) {
        String what = "model weights";
        try (NDManager tmp = manager.newSubManager()) {
            NDList list = readArrays(tmp, file, what);
            Map<String, NDArray> byName = new LinkedHashMap<>();
            for (NDArray a : list) {
                byName.put(a.getName(), a);
            }
            if (!byName.keySet().equals(arrays.keySet())) {
                throw new SeqrecException(file + ": weights " + byName.keySet() + " do not match the model's " + arrays.keySet());
            }
            Map<String, float[]> values = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
                NDArray src = byName.get(e.getKey());
                if (!src.getShape().equals(e.getValue().getShape())) {
                    throw new SeqrecException(file + ": weight " + e.getKey() + " has shape " + src.getShape()
                            + ", the model expects " + e.getValue().getShape());
                }
                values.put(e.getKey(), finiteValues(src, file, what));
            }
            values.forEach((name, v) -> write(arrays.get(name), v, tmp)); // all checked first
        }
    }

    /**
     * Overwrites {@code target}'s values with {@code values} (same size) in place, through a detached view with
     * temporaries from {@code tmp}: {@code NDArray.set(float[])} would print libtorch's AutoNonVariableTypeMode
     * deprecation warning, and a weight that requires a gradient cannot be written in place on a thread where
     * autograd records.
     */
    public static void write(NDArray target, float[] values, NDManager tmp) {
        try (NDArray view = target.stopGradient()) {
            view.set(new ai.djl.ndarray.index.NDIndex("..."), tmp.create(values, view.getShape()));
        }
    }
}
