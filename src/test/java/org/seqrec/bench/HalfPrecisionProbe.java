package org.seqrec.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.seqrec.nn.Nn;
import org.seqrec.util.Json;

/**
 * Whether half-precision activations would speed up a ConvFormer training step on this CPU (issue 20): the pieces of one
 * block at Table C3's sizes (B 256, L 50, D 64, FFN 4D), forward and backward through autograd, in float32 and in a
 * 16-bit type (inputs and weights cast, gradients back in float32 through the cast), interleaved in one JVM after
 * warm-ups; medians. The float32 outputs are compared with the 16-bit ones (max abs. difference / max abs. output).
 * Args: ROUNDS OUT_PREFIX TYPE (FLOAT16 or BFLOAT16). Run by bench/half-probe.sh.
 */
public final class HalfPrecisionProbe {
    private HalfPrecisionProbe() {}

    /** One piece: its name and a forward pass from (input, weights) to a scalar. */
    private record Piece(String name, Function<NDArray[], NDArray> forward, Shape input, Shape... weights) {}

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        String prefix = args[1];
        DataType half = DataType.valueOf(args[2]);
        int b = 256;
        int l = 50;
        int d = 64;
        List<Piece> pieces = List.of(
                new Piece("ffn (linear D->4D, GELU, linear 4D->D)", a -> Nn.linear(Nn.gelu(Nn.linear(a[0], a[1], a[2])), a[3], a[4]),
                        new Shape(b, l, d), new Shape(4 * d, d), new Shape(4 * d), new Shape(d, 4 * d), new Shape(d)),
                new Piece("ffn's linear D->4D alone", a -> Nn.linear(a[0], a[1], a[2]), new Shape(b, l, d), new Shape(4 * d, d),
                        new Shape(4 * d)),
                new Piece("ffn's GELU alone (on [B, L, 4D])", a -> Nn.gelu(a[1]), new Shape(1), new Shape(b, l, 4 * d)), // a gradient input
                new Piece("ffn's linear 4D->D alone", a -> Nn.linear(a[0], a[1], a[2]), new Shape(b, l, 4 * d), new Shape(d, 4 * d),
                        new Shape(d)),
                new Piece("layer norm", a -> Nn.layerNorm(a[0], a[1], a[2]), new Shape(b, l, d), new Shape(d), new Shape(d)),
                new Piece("toeplitz mixer (batched [D, L, L] x [D, L, B])", a -> a[1].batchMatMul(a[0]), new Shape(d, l, b),
                        new Shape(d, l, l)),
                new Piece("elementwise (x * y + x)", a -> a[0].mul(a[1]).add(a[0]), new Shape(b, l, d), new Shape(b, l, d)));
        Map<String, List<Double>> f32 = new LinkedHashMap<>();
        Map<String, List<Double>> bf16 = new LinkedHashMap<>();
        Map<String, Double> diff = new LinkedHashMap<>();
        Engine.getInstance().setRandomSeed(1);
        try (NDManager m = NDManager.newBaseManager()) {
            for (Piece piece : pieces) {
                NDArray[] values = new NDArray[1 + piece.weights().length];
                values[0] = m.randomNormal(piece.input());
                for (int i = 0; i < piece.weights().length; i++) {
                    values[i + 1] = m.randomNormal(0f, 0.1f, piece.weights()[i], DataType.FLOAT32);
                    values[i + 1].setRequiresGradient(true);
                }
                f32.put(piece.name(), new ArrayList<>());
                bf16.put(piece.name(), new ArrayList<>());
                for (int r = -3; r < rounds; r++) {
                    double a = step(piece, values, DataType.FLOAT32, m);
                    double c = step(piece, values, half, m);
                    if (r >= 0) {
                        f32.get(piece.name()).add(a);
                        bf16.get(piece.name()).add(c);
                    }
                }
                try (NDManager s = m.newSubManager()) {
                    float[] exact = piece.forward().apply(values).toFloatArray();
                    NDArray[] cast = cast(values, half);
                    float[] low = piece.forward().apply(cast).toType(DataType.FLOAT32, false).toFloatArray();
                    double worst = 0;
                    double scale = 0;
                    for (int i = 0; i < exact.length; i++) {
                        worst = Math.max(worst, Math.abs(exact[i] - low[i]));
                        scale = Math.max(scale, Math.abs(exact[i]));
                    }
                    diff.put(piece.name(), worst / scale);
                }
            }
        }
        String load = BenchResults.load1();
        var out = Json.object();
        String h = half.name().toLowerCase(java.util.Locale.ROOT);
        StringBuilder md = new StringBuilder(String.format("%s against float32 for the pieces of a ConvFormer block (`bench/half-probe.sh`; B %d,"
                + " L %d, D %d; forward and backward; one JVM, %d interleaved rounds after 3 warm-ups, %d engine thread(s); load %s at the end;"
                + " CPU %s).%n%n| piece | float32 ms | %s ms | speed-up | max abs. difference / max abs. output |%n|---|---:|---:|---:|---:|%n",
                h, b, l, d, rounds, Integer.getInteger("ai.djl.pytorch.num_threads", -1), load, cpu(), h));
        for (String name : f32.keySet()) {
            double a = Medians.of(f32.get(name));
            double c = Medians.of(bf16.get(name));
            var row = out.putObject(name);
            row.put("float32_ms_median", a);
            row.put("half_ms_median", c);
            row.put("relative_difference", diff.get(name));
            row.set("float32_ms", Json.MAPPER.valueToTree(f32.get(name)));
            row.set("half_ms", Json.MAPPER.valueToTree(bf16.get(name)));
            md.append(String.format("| %s | %.2f | %.2f | %.2fx | %.1e |%n", name, a, c, a / c, diff.get(name)));
        }
        out.put("type", h);
        out.put("rounds", rounds);
        out.put("threads", Integer.getInteger("ai.djl.pytorch.num_threads", -1));
        out.put("load1_at_end", load);
        out.put("cpu", cpu());
        BenchResults.write(prefix, out, md.toString());
    }

    /**
     * One forward and backward pass in {@code type}: milliseconds. DJL's {@code toType} leaves autograd (the cast has no
     * gradient), so a 16-bit pass trains 16-bit copies of the weights, as a master-weights scheme would: the casts of
     * the weights and the pass are timed (each gradient is summed to one number, to be sure it was computed).
     */
    private static double step(Piece piece, NDArray[] values, DataType type, NDManager m) {
        long t0 = System.nanoTime();
        try (NDManager s = m.newSubManager()) {
            NDArray[] in = cast(values, type);
            for (int i = 1; i < in.length && type != DataType.FLOAT32; i++) {
                in[i].setRequiresGradient(true);
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = piece.forward().apply(in);
                gc.backward(y.sum()); // in the pass's own type: a cast would leave autograd
            }
            for (int i = 1; i < in.length; i++) {
                in[i].getGradient().sum().toType(DataType.FLOAT32, false).getFloat(); // the gradient exists (a scalar read, not a copy)
            }
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    private static NDArray[] cast(NDArray[] values, DataType type) {
        NDArray[] out = new NDArray[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = type == DataType.FLOAT32 ? values[i] : values[i].toType(type, true);
        }
        return out;
    }

    private static String cpu() throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("flags")) {
                boolean amx = line.contains(" amx_bf16");
                boolean avx = line.contains(" avx512_bf16");
                return (amx ? "AMX-BF16" : "no AMX") + ", " + (avx ? "AVX512-BF16" : "no AVX512-BF16");
            }
        }
        return "unknown";
    }
}
