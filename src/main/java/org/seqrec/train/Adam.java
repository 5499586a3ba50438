package org.seqrec.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.seqrec.nn.Params;
import org.seqrec.util.SealedFiles;
import org.seqrec.util.SeqrecException;

/**
 * Adam (β1 = 0.9, β2 = 0.999, ε = 1e-8, L2 weight decay) through the engine's fused update, with
 * its moment estimates and step count held here so a checkpoint can save and restore them exactly
 * (the library optimizer keeps them private). Bias correction as DJL's Adam:
 * {@code lr · sqrt(1 - β2^t) / (1 - β1^t)}.
 */
public final class Adam {
    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPS = 1e-8f;

    private final Params params;
    private final float lr;
    private final float weightDecay;
    private final Map<String, NDArray> mean = new LinkedHashMap<>();
    private final Map<String, NDArray> variance = new LinkedHashMap<>();
    private long step;

    public Adam(Params params, float lr, float weightDecay) {
        this.params = params;
        this.lr = lr;
        this.weightDecay = weightDecay;
        NDManager m = params.manager();
        for (Map.Entry<String, NDArray> e : params.all().entrySet()) {
            if (params.isTrainable(e.getKey())) {
                mean.put(e.getKey(), m.zeros(e.getValue().getShape()));
                variance.put(e.getKey(), m.zeros(e.getValue().getShape()));
            }
        }
    }

    public long steps() {
        return step;
    }

    /** Applies one update from the accumulated gradients, then zeroes them. */
    public void step() {
        step(w -> true);
    }

    /**
     * {@link #step()} for the weights {@code updated} accepts: the others keep their values and moments (their
     * gradients are zeroed all the same), as a PyTorch optimizer over a subset of the parameters leaves the rest.
     */
    public void step(java.util.function.Predicate<String> updated) {
        step++;
        double coef1 = 1.0 - Math.pow(BETA1, step);
        double coef2 = 1.0 - Math.pow(BETA2, step);
        float corrected = (float) (lr * Math.sqrt(coef2) / coef1);
        for (Map.Entry<String, NDArray> e : mean.entrySet()) {
            NDArray w = params.get(e.getKey());
            if (!updated.test(e.getKey())) {
                JniUtils.zeroGrad((PtNDArray) w);
                continue;
            }
            try (NDArray g = w.getGradient()) {
                JniUtils.adamUpdate((PtNDArray) w, (PtNDArray) g, (PtNDArray) e.getValue(),
                        (PtNDArray) variance.get(e.getKey()), lr, corrected, weightDecay, 1f, -1f, BETA1, BETA2, EPS, false);
            }
            JniUtils.zeroGrad((PtNDArray) w);
        }
    }

    /** Saves moments and step count, atomically. */
    public void save(Path file) {
        NDList list = new NDList();
        for (String name : mean.keySet()) {
            NDArray m = mean.get(name);
            m.setName("m:" + name);
            NDArray v = variance.get(name);
            v.setName("v:" + name);
            list.add(m);
            list.add(v);
        }
        try (NDManager tmp = params.manager().newSubManager()) {
            NDArray s = tmp.create(new long[] {step});
            s.setName("step");
            list.add(s);
            SealedFiles.write(file, list.encode());
        }
    }

    /** Restores what {@link #save} wrote; a damaged file or a non-finite moment is refused and changes nothing. */
    public void load(Path file) {
        String what = "optimizer state";
        try (NDManager tmp = params.manager().newSubManager()) {
            NDList list = Params.readArrays(tmp, file, what);
            Map<String, NDArray> byName = new LinkedHashMap<>();
            for (NDArray a : list) {
                byName.put(a.getName(), a);
            }
            for (String name : mean.keySet()) {
                NDArray m = byName.get("m:" + name);
                NDArray v = byName.get("v:" + name);
                if (m == null || v == null) {
                    throw new SeqrecException(file + ": no optimizer state for " + name);
                }
                if (!m.getShape().equals(mean.get(name).getShape()) || !v.getShape().equals(variance.get(name).getShape())) {
                    throw new SeqrecException(file + ": optimizer state for " + name + " has shape " + m.getShape()
                            + ", the model's weight has " + mean.get(name).getShape());
                }
            }
            NDArray s = byName.get("step");
            if (s == null || s.size() != 1 || s.toLongArray()[0] < 0) {
                throw new SeqrecException(file + ": no valid step count in the optimizer state");
            }
            Map<String, float[]> ms = new LinkedHashMap<>();
            Map<String, float[]> vs = new LinkedHashMap<>();
            for (String name : mean.keySet()) {
                ms.put(name, Params.finiteValues(byName.get("m:" + name), file, what));
                vs.put(name, Params.finiteValues(byName.get("v:" + name), file, what));
            }
            ms.forEach((name, a) -> Params.write(mean.get(name), a, tmp));
            vs.forEach((name, a) -> Params.write(variance.get(name), a, tmp));
            step = s.toLongArray()[0];
        }
    }
}
