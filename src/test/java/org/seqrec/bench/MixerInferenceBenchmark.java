package org.seqrec.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.seqrec.model.zoo.ConvFormer;
import org.seqrec.nn.Params;
import org.seqrec.nn.SelfAttention;
import org.seqrec.nn.TokenMixer;

/**
 * The ConvFormer paper's Figure 8: time of the token-mixer layer alone (no embedding, no FFN) on a
 * batch of random sequences {@code [B, L, D]}, inference mode, for the direct depth-wise convolution
 * (ConvFormer), its FFT form (ConvFormer-F) and single-head self-attention. Combinations with
 * {@code K > L} are skipped, and self-attention, which has no K, runs once per L (at the smallest K).
 * Run through {@code bench/mixer-speed.sh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(1)
public class MixerInferenceBenchmark {
    @Param({"500", "1000"})
    public int len;

    @Param({"10", "50", "100", "250", "500", "750", "1000"})
    public int kernel;

    @Param({"convformer", "convformer-f", "sar"})
    public String mixer;

    @Param({"512"})
    public int batch;

    @Param({"64"})
    public int hidden;

    private NDManager manager;
    private Params params;
    private TokenMixer op;
    private NDArray x;
    private NDArray mask;
    private boolean skip;

    @Setup(Level.Trial)
    public void setup() {
        skip = kernel > len || (mixer.equals("sar") && kernel != 10);
        if (skip) {
            return;
        }
        Engine.getInstance().setRandomSeed(1);
        manager = NDManager.newBaseManager();
        params = new Params(manager);
        switch (mixer) {
            case "convformer":
                op = new ConvFormer.DepthwiseConv(params, "m", hidden, kernel, ConvFormer.Padding.CIRCULAR, len,
                        ConvFormer.ConvImpl.CONV1D);
                break;
            case "convformer-f":
                op = new ConvFormer.FftConv(params, "m", hidden, kernel);
                break;
            default:
                op = new SelfAttention(params, "m", hidden, 1, 0f);
        }
        x = manager.randomNormal(new Shape(batch, len, hidden));
        mask = manager.ones(new Shape(batch, len));
    }

    @Benchmark
    public float mix() {
        if (skip) {
            return 0f;
        }
        JniUtils.setGradMode(false);
        try (NDManager m = manager.newSubManager()) {
            NDArray y = op.mix(params.bind(m), x, mask, false);
            return y.getFloat(0, 0, 0); // the op has run (CPU ops are synchronous); read one value back
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (manager != null) {
            manager.close();
        }
    }
}
