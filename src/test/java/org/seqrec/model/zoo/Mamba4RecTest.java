package org.seqrec.model.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.seqrec.nn.LinearScan;
import org.seqrec.nn.Params;

/**
 * Mamba4Rec: the log-depth scan equals the time-varying recurrence stepped position by position; the
 * Mamba block equals the selective SSM written out with plain arrays (projections, causal convolution, Δ, A,
 * B, C, the recurrence, D skip, SiLU gate); states start at the first item and never read later ones.
 */
class Mamba4RecTest {
    @Test
    void hillisSteeleScanEqualsTheSequentialRecurrence() {
        Random rnd = new Random(8);
        for (int len : new int[] {1, 3, 8, 11}) {
            int b = 2;
            int c = 5;
            float[] a = new float[b * len * c];
            float[] x = new float[a.length];
            for (int k = 0; k < a.length; k++) {
                a[k] = (float) rnd.nextDouble();
                x[k] = (float) rnd.nextGaussian();
            }
            try (NDManager m = NDManager.newBaseManager()) {
                float[] h = LinearScan.real(m.create(a, new Shape(b, len, c)), m.create(x, new Shape(b, len, c))).toFloatArray();
                for (int u = 0; u < b; u++) {
                    for (int j = 0; j < c; j++) {
                        double s = 0;
                        for (int t = 0; t < len; t++) {
                            int k = (u * len + t) * c + j;
                            s = a[k] * s + x[k];
                            assertThat((double) h[k]).as("len %d t %d", len, t).isCloseTo(s, Offset.offset(1e-4));
                        }
                    }
                }
            }
        }
    }

    @Test
    void blockEqualsTheSelectiveScanWrittenOut() {
        Engine.getInstance().setRandomSeed(4);
        int d = 4;
        int n = 3;
        int w = 3;
        try (NDManager m = NDManager.newBaseManager()) {
            Mamba4Rec model = (Mamba4Rec) new Mamba4Rec.Spec().build(m, 12,
                    Map.of("hidden", d, "max_len", 6, "layers", 1, "d_state", n, "d_conv", w, "expand", 2));
            for (String name : model.params().all().keySet()) { // weights large enough that every term shows
                NDArray t = model.params().get(name);
                if (!name.contains("A_log")) {
                    t.set(m.randomUniform(-0.7f, 0.7f, t.getShape()).toFloatArray());
                }
            }
            Params.Bound p = model.params().bind(m);
            int len = 6;
            int e = 2 * d;
            int r = 1;
            float[] xin = m.randomNormal(0f, 1f, new Shape(1, len, d), ai.djl.ndarray.types.DataType.FLOAT32).toFloatArray();
            float[] real = {0, 0, 1, 1, 1, 1};
            float[] got = model.mamba(p, 0, m.create(xin, new Shape(1, len, d)), m.create(real, new Shape(1, len))).toFloatArray();
            float[] inProj = get(model, "mamba_layers.0.mamba.in_proj.weight");
            float[] cw = get(model, "mamba_layers.0.mamba.conv1d.weight");
            float[] cb = get(model, "mamba_layers.0.mamba.conv1d.bias");
            float[] xProj = get(model, "mamba_layers.0.mamba.x_proj.weight");
            float[] dtW = get(model, "mamba_layers.0.mamba.dt_proj.weight");
            float[] dtB = get(model, "mamba_layers.0.mamba.dt_proj.bias");
            float[] aLog = get(model, "mamba_layers.0.mamba.A_log");
            float[] dSkip = get(model, "mamba_layers.0.mamba.D");
            float[] outProj = get(model, "mamba_layers.0.mamba.out_proj.weight");
            double[][] xs = new double[len][e];
            double[][] z = new double[len][e];
            for (int t = 0; t < len; t++) {
                for (int o = 0; o < 2 * e; o++) {
                    double v = 0;
                    for (int i = 0; i < d; i++) {
                        v += inProj[o * d + i] * xin[t * d + i];
                    }
                    if (o < e) {
                        xs[t][o] = v * real[t];
                    } else {
                        z[t][o - e] = v;
                    }
                }
            }
            double[][] h = new double[e][n];
            for (int t = 0; t < len; t++) {
                double[] u = new double[e];
                for (int c = 0; c < e; c++) { // causal depth-wise convolution, zeros before the start
                    double v = cb[c];
                    for (int k = 0; k < w; k++) {
                        int src = t - (w - 1) + k;
                        v += src < 0 ? 0 : cw[c * w + k] * xs[src][c];
                    }
                    u[c] = v / (1 + Math.exp(-v));
                }
                double[] dbl = new double[r + 2 * n];
                for (int o = 0; o < dbl.length; o++) {
                    for (int c = 0; c < e; c++) {
                        dbl[o] += xProj[o * e + c] * u[c];
                    }
                }
                double[] y = new double[e];
                for (int c = 0; c < e; c++) {
                    double delta = Math.log1p(Math.exp(dtW[c] * dbl[0] + dtB[c]));
                    for (int s = 0; s < n; s++) {
                        double a = -Math.exp(aLog[c * n + s]);
                        h[c][s] = Math.exp(delta * a) * h[c][s] + delta * dbl[r + s] * u[c] * real[t];
                        y[c] += h[c][s] * dbl[r + n + s];
                    }
                    y[c] += dSkip[c] * u[c];
                    y[c] *= z[t][c] / (1 + Math.exp(-z[t][c]));
                }
                for (int o = 0; o < d; o++) {
                    double v = 0;
                    for (int c = 0; c < e; c++) {
                        v += outProj[o * e + c] * y[c];
                    }
                    if (real[t] > 0) { // padded positions' outputs are never read
                        assertThat((double) got[t * d + o]).as("t %d out %d", t, o).isCloseTo(v, Offset.offset(2e-4));
                    }
                }
            }
        }
    }

    @Test
    void statesStartAtTheFirstItemAndNeverReadLaterOnes() {
        Engine.getInstance().setRandomSeed(6);
        try (NDManager m = NDManager.newBaseManager()) {
            Mamba4Rec model = (Mamba4Rec) new Mamba4Rec.Spec().build(m, 20, Map.of("hidden", 8, "max_len", 9, "layers", 2, "d_state", 4));
            Params.Bound p = model.params().bind(m);
            NDArray norm = model.params().get("LayerNorm.bias");
            norm.set(m.randomNormal(0f, 1f, norm.getShape(), norm.getDataType()).toFloatArray()); // padding would show
            float[] s5 = model.encodeLast(p, m.create(new long[] {0, 0, 3, 5, 7}, new Shape(1, 5)), false).toFloatArray();
            float[] s9 = model.encodeLast(p, m.create(new long[] {0, 0, 0, 0, 0, 0, 3, 5, 7}, new Shape(1, 9)), false).toFloatArray();
            for (int j = 0; j < s5.length; j++) {
                assertThat(s9[j]).isCloseTo(s5[j], Offset.offset(1e-5f));
            }
            float[] a = model.encodeAll(p, m.create(new long[] {0, 4, 9, 2, 11, 6}, new Shape(1, 6)), false).toFloatArray();
            float[] c = model.encodeAll(p, m.create(new long[] {0, 4, 9, 2, 17, 1}, new Shape(1, 6)), false).toFloatArray();
            for (int k = 8; k < 4 * 8; k++) {
                assertThat(c[k]).isCloseTo(a[k], Offset.offset(1e-6f));
            }
        }
    }

    private static float[] get(Mamba4Rec model, String name) {
        return model.params().get(name).toFloatArray();
    }
}
