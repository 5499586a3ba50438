package org.seqrec.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.seqrec.model.NeuralSeqModel;
import org.seqrec.nn.Params;

/**
 * A model's size and compute per sequence: its weights, and the multiply-accumulates (MACs) of one
 * full-length sequence's forward pass at inference, counted from the engine's own operator trace
 * (the shapes of every matrix product and convolution the pass runs), so no model has to declare
 * them. Reported separately: the encoder (up to the user representation) and the scoring of every
 * item. MACs are what {@code thop} reports as "FLOPs" (the AdaMCT paper's Table 6); one MAC is two
 * floating-point operations. Element-wise work (activations, LayerNorm, softmax) is not counted.
 * Convolutions are counted as stride 1 without implicit padding (how seqrec's models call them:
 * padding is explicit).
 */
public record ModelCost(long params, long encoderMacs, long scoringMacs, int maxLen) {
    private static final Set<String> PRODUCTS = Set.of("aten::mm", "aten::addmm", "aten::bmm", "aten::baddbmm",
            "aten::addbmm", "aten::dot", "aten::mv", "aten::addmv");
    private static final Set<String> CONVOLUTIONS = Set.of("aten::convolution", "aten::_convolution");

    /** Measures {@code model} on one sequence of {@code maxLen} items (ids 1, 2, ... wrapped to the vocabulary). */
    public static ModelCost measure(NeuralSeqModel model, NDManager base) {
        int len = model.maxLen();
        long[] ids = new long[len];
        for (int i = 0; i < len; i++) {
            ids[i] = 1 + i % model.numItems();
        }
        long[] macs = new long[2];
        try (NDManager m = base.newSubManager()) {
            boolean grad = JniUtils.isGradMode();
            JniUtils.setGradMode(false);
            try {
                Params.Bound p = model.params().bind(m);
                NDArray input = m.create(ids, new Shape(1, len));
                NDArray[] rep = new NDArray[1];
                macs[0] = macs(Profiler.trace(() -> rep[0] = model.encodeLast(p, input, false)));
                macs[1] = macs(Profiler.trace(() -> model.scoreAllItems(p, rep[0])));
            } finally {
                JniUtils.setGradMode(grad);
            }
        }
        return new ModelCost(model.params().count(), macs[0], macs[1], len);
    }

    /** MACs of the outermost matrix products and convolutions among trace {@code events}. */
    public static long macs(JsonNode events) {
        List<JsonNode> counted = new ArrayList<>();
        for (JsonNode e : events) {
            String name = e.path("name").asText();
            if ("X".equals(e.path("ph").asText()) && (PRODUCTS.contains(name) || CONVOLUTIONS.contains(name))) {
                counted.add(e);
            }
        }
        counted.sort(Comparator.comparingDouble((JsonNode e) -> e.path("ts").asDouble())
                .thenComparing(e -> -e.path("dur").asDouble()));
        long total = 0;
        double openUntil = Double.NEGATIVE_INFINITY; // the end of the last counted event: one nested in it is its own callee
        for (JsonNode e : counted) {
            double ts = e.path("ts").asDouble();
            if (ts < openUntil) {
                continue;
            }
            openUntil = ts + e.path("dur").asDouble();
            total += macsOf(e.path("name").asText(), e.path("shape"));
        }
        return total;
    }

    private static long macsOf(String op, JsonNode shapes) {
        List<long[]> s = new ArrayList<>();
        for (JsonNode dims : shapes) {
            long[] d = new long[dims.size()];
            for (int i = 0; i < d.length; i++) {
                d[i] = dims.get(i).asLong();
            }
            s.add(d);
        }
        switch (op) {
            case "aten::mm": // [a, b] x [b, c]
                return s.get(0)[0] * s.get(0)[1] * s.get(1)[1];
            case "aten::addmm": // bias, [a, b], [b, c]
                return s.get(1)[0] * s.get(1)[1] * s.get(2)[1];
            case "aten::bmm": // [n, a, b] x [n, b, c]
                return s.get(0)[0] * s.get(0)[1] * s.get(0)[2] * s.get(1)[2];
            case "aten::baddbmm":
            case "aten::addbmm": // bias, [n, a, b], [n, b, c]
                return s.get(1)[0] * s.get(1)[1] * s.get(1)[2] * s.get(2)[2];
            case "aten::dot":
                return s.get(0)[0];
            case "aten::mv": // [a, b] x [b]
                return s.get(0)[0] * s.get(0)[1];
            case "aten::addmv":
                return s.get(1)[0] * s.get(1)[1];
            default: { // convolution: input [B, C_in, *spatial], weight [C_out, C_in / groups, *kernel]
                long[] in = s.get(0);
                long[] w = s.get(1);
                long macs = in[0] * w[0] * w[1];
                for (int i = 2; i < w.length; i++) {
                    macs *= w[i] * Math.max(0, in[i] - w[i] + 1);
                }
                return macs;
            }
        }
    }

    /** "0.21M weights; 0.34M MACs per sequence (L = 50) in the encoder, 0.19M to score every item". */
    public String describe() {
        return String.format("%s weights; %s MACs per sequence of %d in the encoder, %s more to score every item",
                millions(params), millions(encoderMacs), maxLen, millions(scoringMacs));
    }

    private static String millions(long v) {
        return String.format(v >= 10_000_000 ? "%.1fM" : "%.2fM", v / 1e6);
    }
}
