package org.seqrec.model.zoo;

import java.util.LinkedHashMap;
import java.util.Map;
import org.seqrec.model.ModelSpec;
import org.seqrec.util.SeqrecException;

/** All models by name. A new model is one class plus one line here. */
public final class ModelRegistry {
    private static final Map<String, ModelSpec> MODELS = new LinkedHashMap<>();

    static {
        register(new PopRec.Spec());
        register(new ConvFormer.Spec(ConvFormer.Variant.CONVFORMER));
        register(new ConvFormer.Spec(ConvFormer.Variant.CONVFORMER_F));
        register(new ConvFormer.Spec(ConvFormer.Variant.CONV_V));
        register(new ConvFormer.Spec(ConvFormer.Variant.CONV_S));
        register(new MeanPool.Spec());
        register(new LMixer.Spec());
        register(new FmlpRec.Spec());
        register(new SasRec.Spec());
        register(new Bert4Rec.Spec());
        register(new Gru4Rec.Spec());
        register(new NextItNet.Spec());
        register(new SrGnn.Spec());
        register(new GcSan.Spec());
        register(new Core.Spec());
        register(new Sine.Spec());
        register(new Caser.Spec());
        register(new Hgn.Spec());
        register(new Fm.Spec());
        register(new AutoInt.Spec());
        register(new Clea.Spec());
        register(new Ctr.Spec());
        register(new LruRec.Spec());
        register(new Mamba4Rec.Spec());
        register(new FastFormer.Spec());
        register(new PoolingFormer.Spec());
        register(new AdaMct.Spec());
        register(new RecGrela.Spec());
        register(new SasRec.LinRecSpec());
        for (Sar.Variant v : Sar.Variant.values()) {
            register(new Sar.Spec(v));
        }
    }

    private ModelRegistry() {}

    private static void register(ModelSpec spec) {
        MODELS.put(spec.name(), spec);
    }

    public static ModelSpec get(String name) {
        ModelSpec spec = MODELS.get(name);
        if (spec == null) {
            throw new SeqrecException("unknown model '" + name + "' (known: " + String.join(", ", MODELS.keySet()) + ")");
        }
        return spec;
    }

    public static Map<String, ModelSpec> all() {
        return Map.copyOf(MODELS);
    }

    public static Iterable<String> names() {
        return MODELS.keySet();
    }
}
