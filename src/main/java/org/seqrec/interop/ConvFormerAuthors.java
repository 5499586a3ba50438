package org.seqrec.interop;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.seqrec.util.SeqrecException;

/**
 * The ConvFormer authors' code ({@code OurRecommender} of their {@code models.py}, saved with
 * {@code torch.save(model.state_dict(), f)}): model {@code CONV} with the depth-wise convolution
 * ({@code conv_name 1}) and circular, reflect or zero padding ({@code padding_mode} 0, 1, 2, which the file
 * does not record: {@code padding} is required), or {@code FCONV}, the FFT layer with
 * {@code norm='ortho'} (its kernel maps with a factor {@code 1/sqrt(L)}; it has no bias, seqrec's
 * ConvFormer-F gets 0). Their embedding ({@code LN(item + position)}, padding zeroed, {@code zero_pad 1}),
 * blocks ({@code LN(x + mixer(x))}, {@code LN(x + FFN(x))}, GELU with erf, LayerNorm eps 1e-12) and scorer
 * (the last position against the item table) are seqrec's ConvFormer. Refused: the full and separable
 * convolutions ({@code conv_name} 0 and 2), an FFN other than 4D, attention models of their code.
 * Their item indices are the data file's item ids (their {@code item_size} is the largest id + 1).
 */
final class ConvFormerAuthors implements Source {
    static final String PREFIX = "item_encoder.layer.";

    @Override
    public String name() {
        return "convformer-authors";
    }

    @Override
    public String description() {
        return "the ConvFormer authors' code: CONV (give --padding) or FCONV state dicts";
    }

    @Override
    public List<String> options() {
        return List.of("padding");
    }

    @Override
    public Mapped map(Checkpoint ck, Map<String, String> options) {
        Tensor items = ck.take("item_embeddings.weight");
        if (items.shape().length != 2) {
            throw new SeqrecException("checkpoint " + ck.file() + ": item_embeddings.weight has shape " + items.shapeText());
        }
        long d = items.shape()[1];
        Tensor pos = ck.take("position_embeddings.weight");
        long len = pos.shape()[0];
        int layers = 0;
        while (ck.has(PREFIX + layers + ".intermediate.dense_1.weight")) {
            layers++;
        }
        if (layers == 0) {
            throw new SeqrecException("checkpoint " + ck.file() + " has no " + PREFIX + "0.intermediate: not a model of the"
                    + " ConvFormer authors' code");
        }
        String l0 = PREFIX + "0.filterlayer.";
        boolean fft = ck.has(l0 + "conv_weight");
        if (!fft && !ck.has(l0 + "conv.depthwise_conv.weight")) {
            String what = ck.has(l0 + "conv.conv.weight") ? "the full convolution (conv_name 0, Conv-V)"
                    : ck.has(l0 + "conv.pointwise_conv.weight") ? "the separable convolution (conv_name 2, Conv-S)"
                    : ck.has(PREFIX + "0.attention.query.weight") || ck.tensors().keySet().stream().anyMatch(k -> k.contains(".attention."))
                            ? "an attention model of their code" : "a layer seqrec does not know";
            throw new SeqrecException("checkpoint " + ck.file() + " is " + what + ": seqrec imports the authors' CONV with the"
                    + " depth-wise convolution (conv_name 1) and FCONV");
        }
        String padding = options.get("padding");
        if (fft) {
            if (padding != null && !padding.equals("circular")) {
                throw new SeqrecException("an FCONV checkpoint computes a circular convolution: --padding must be circular or absent");
            }
            padding = "circular";
        } else if (padding == null) {
            throw new SeqrecException("the ConvFormer authors' CONV checkpoints do not record their padding: give --padding circular,"
                    + " reflect or zero (their main.py's --padding_mode 0, 1 or 2)");
        } else if (!List.of("circular", "reflect", "zero").contains(padding)) {
            throw new SeqrecException("--padding must be circular, reflect or zero, got '" + padding + "'");
        }
        Mapped m = new Mapped(fft ? "convformer-f" : "convformer");
        names(layers, fft).mapInto(ck, m);
        long k = -1;
        for (int i = 0; i < layers && fft; i++) { // the FFT kernel: scaled, with a zero bias the authors' layer lacks
            String src = PREFIX + i + ".filterlayer.";
            Tensor w = ck.take(src + "conv_weight");
            if (w.shape().length != 3 || w.shape()[0] != 1 || w.shape()[2] != d) {
                throw new SeqrecException("checkpoint " + ck.file() + ": " + src + "conv_weight has shape " + w.shapeText() + ", expected [1, K, "
                        + d + "]");
            }
            k = w.shape()[1];
            Tensor zeros = ck.take(src + "zeros", 1, len - k, d);
            for (float z : zeros.floats()) {
                if (z != 0f) {
                    throw new SeqrecException("checkpoint " + ck.file() + ": " + src + "zeros is not all zero: the FFT kernel would not be the K"
                            + " taps seqrec maps");
                }
            }
            // norm='ortho' on rfft(x), rfft(w) and irfft: irfft(rfft(x) rfft(w)) / sqrt(L), i.e. seqrec's unnormalised pair with w / sqrt(L)
            m.weight("blocks." + i + ".mixer.kernel", src + "conv_weight", scaled(w, new long[] {k, d}, (float) (1.0 / Math.sqrt(len))));
            m.weight("blocks." + i + ".mixer.bias", "(none: the authors' FFT layer has no bias)", Tensor.of(new long[] {d}, new float[(int) d]));
        }
        if (!fft) {
            Tensor w = ck.take(PREFIX + "0.filterlayer.conv.depthwise_conv.weight");
            k = w.shape().length == 3 ? w.shape()[2] : -1;
        }
        Tensor up = ck.take(PREFIX + "0.intermediate.dense_1.weight");
        if (up.shape().length != 2 || up.shape()[0] != 4 * d) {
            throw new SeqrecException("checkpoint " + ck.file() + ": " + PREFIX + "0.intermediate.dense_1.weight has shape " + up.shapeText()
                    + "; seqrec's FFN is D -> 4D (their --ffn_multiplier 4)");
        }
        ck.checkAllUsed("the authors' " + (fft ? "FCONV" : "CONV") + " model");
        m.param("hidden", (int) d).param("layers", layers).param("max_len", (int) len).param("kernel", (int) k).param("padding", padding);
        m.note("the authors' " + (fft ? "FCONV (FFT, norm='ortho': kernel scaled by 1/sqrt(L), bias 0)" : "CONV, depth-wise, "
                + padding + " padding (given on import; the file does not record it)") + "; GELU (erf), zero_pad 1 and"
                + " ffn_multiplier 4 as their defaults, which their released runs use");
        return m;
    }

    /** Their names beside seqrec's, for every weight that maps one to one (all but FCONV's kernel). */
    private static NameTable names(int layers, boolean fft) {
        NameTable t = new NameTable().items("item_emb", "item_embeddings.weight").add("pos_emb", "position_embeddings.weight")
                .add("emb_norm.weight", "LayerNorm.weight").add("emb_norm.bias", "LayerNorm.bias");
        for (int i = 0; i < layers; i++) {
            String src = PREFIX + i + ".";
            String dst = "blocks." + i + ".";
            for (String w : new String[] {".weight", ".bias"}) {
                if (!fft) {
                    t.add(dst + "mixer" + w, src + "filterlayer.conv.depthwise_conv" + w);
                }
                t.add(dst + "norm1" + w, src + "filterlayer.LayerNorm" + w).add(dst + "ffn.w1" + w, src + "intermediate.dense_1" + w)
                        .add(dst + "ffn.w2" + w, src + "intermediate.dense_2" + w).add(dst + "norm2" + w, src + "intermediate.LayerNorm" + w);
            }
        }
        return t;
    }

    private static Tensor scaled(Tensor t, long[] shape, float factor) {
        float[] v = new float[t.floats().length];
        for (int j = 0; j < v.length; j++) {
            v[j] = t.floats()[j] * factor;
        }
        return Tensor.of(shape, v);
    }

    @Override
    public Map<String, Tensor> export(String model, Map<String, Object> params, Map<String, Tensor> weights) {
        boolean fft = model.equals("convformer-f");
        if (!fft && !model.equals("convformer")) {
            throw new SeqrecException("the convformer-authors convention holds convformer and convformer-f, not " + model);
        }
        int layers = ((Number) params.get("layers")).intValue();
        long len = ((Number) params.get("max_len")).longValue();
        Map<String, Tensor> out = new LinkedHashMap<>();
        names(layers, fft).exportInto(weights, out);
        for (int i = 0; i < layers && fft; i++) {
            String src = "blocks." + i + ".";
            for (float b : weights.get(src + "mixer.bias").floats()) {
                if (b != 0f) {
                    throw new SeqrecException("this ConvFormer-F has a bias in its FFT layer (" + src + "mixer.bias), which the authors'"
                            + " FConvLayer does not have: it cannot be exported in their convention exactly");
                }
            }
            Tensor kernel = weights.get(src + "mixer.kernel");
            long k = kernel.shape()[0];
            long d = kernel.shape()[1];
            out.put(PREFIX + i + ".filterlayer.conv_weight", scaled(kernel, new long[] {1, k, d}, (float) Math.sqrt(len)));
            out.put(PREFIX + i + ".filterlayer.zeros", Tensor.of(new long[] {1, len - k, d}, new float[(int) ((len - k) * d)]));
        }
        return out;
    }
}
