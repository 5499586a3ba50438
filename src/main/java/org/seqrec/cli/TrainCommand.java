package org.seqrec.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.seqrec.eval.Protocol;
import org.seqrec.model.zoo.ModelRegistry;
import org.seqrec.run.RunDir;
import org.seqrec.run.RunParams;
import org.seqrec.run.RunResults;
import org.seqrec.run.Runs;
import org.seqrec.run.TrainRequest;
import org.seqrec.util.SeqrecException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code seqrec train}. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a model into a run directory, then evaluate it on validation and test.")
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "NAME", completionCandidates = ModelNames.class,
            description = "Model: ${COMPLETION-CANDIDATES}.")
    String model;

    @Mixin DataOptions data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run directory to create, e.g. runs/pop-beauty.")
    Path out;

    @Option(names = "--overwrite", description = "Replace an existing run directory.")
    boolean overwrite;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42", description = "Training seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Mixin EvalOptions eval;

    @Option(names = "--no-eval", description = "Only train and save; evaluate later with 'seqrec evaluate'.")
    boolean noEval;

    @Option(names = "--keep-histories", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Keep every user's history in the run (histories.db) so that recommend, serve and the Java API take user"
                    + " ids. Default: ${DEFAULT-VALUE}.")
    boolean keepHistories;

    @Option(names = "--json", description = "Print JSON on stdout instead of tables.")
    boolean json;

    @Option(names = "--resume", description = "Continue a killed run from its last completed epoch (same command otherwise).")
    boolean resume;

    @Option(names = "--preset", paramLabel = "NAME", description = "A model's named settings, e.g. a paper's tuned"
            + " hyper-parameters per dataset (adamct: beauty, toys, sports; convformer: beauty, toys, sports, yelp);"
            + " explicit flags override them.")
    String preset;

    @Option(names = "--kernel", paramLabel = "K", description = "Convolution kernel size: ConvFormer's K (paper: 45 on"
            + " Beauty, 30 elsewhere; default 45), AdaMCT's local k (odd; default 5).")
    Integer kernel;

    @Option(names = "--reduction", paramLabel = "R", description = "AdaMCT: squeeze-excitation reduction ratio r (default 2).")
    Integer reduction;

    @Option(names = "--act", paramLabel = "FN", description = "AdaMCT: activation of the local branch: gelu, relu, swish, tanh, sigmoid.")
    String act;

    @Option(names = "--padding", paramLabel = "MODE", description = "ConvFormer padding: circular (default), reflect, zero.")
    String padding;

    @Option(names = "--heads", paramLabel = "H", description = "Attention heads, attention models (defaults per model: SAR 1, SASRec 2, ...).")
    Integer heads;

    @Option(names = "--window", paramLabel = "K", description = "SAR: keep attention only between positions with |i - j| <= K (paper Figure 2).")
    Integer window;

    @Option(names = "--layers", paramLabel = "N", description = "Number of blocks (default 2).")
    Integer layers;

    @Option(names = "--hidden", paramLabel = "D", description = "Hidden size (default 64).")
    Integer hidden;

    @Option(names = "--max-len", paramLabel = "L", description = "Most recent items read (default 50).")
    Integer maxLen;

    @Option(names = "--dropout", paramLabel = "P", description = "Hidden dropout (default 0.5).")
    Double dropout;

    @Option(names = "--attn-dropout", paramLabel = "P", description = "Attention dropout, attention models (default 0.5).")
    Double attnDropout;

    @Option(names = "--lr", paramLabel = "LR", description = "Adam learning rate (default 1e-3).")
    Double lr;

    @Option(names = "--weight-decay", paramLabel = "WD", description = "L2 weight decay (default 0).")
    Double weightDecay;

    @Option(names = "--batch", paramLabel = "B", description = "Training batch size (default 256).")
    Integer batch;

    @Option(names = "--epochs", paramLabel = "E", description = "Most epochs (default 200).")
    Integer epochs;

    @Option(names = "--patience", paramLabel = "P", description = "Early-stopping patience in epochs (default 10).")
    Integer patience;

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "Any other model hyper-parameter (repeatable).")
    Map<String, String> params = new LinkedHashMap<>();

    @Override
    public Integer call() {
        ModelRegistry.get(model);
        Map<String, Object> p = new LinkedHashMap<>();
        params.forEach((k, v) -> p.put(k, parse(v)));
        put(p, "kernel", kernel);
        put(p, "reduction", reduction);
        put(p, "act", act);
        put(p, "padding", padding);
        put(p, "layers", layers);
        put(p, "heads", heads);
        put(p, "window", window);
        put(p, "hidden", hidden);
        put(p, "max_len", maxLen);
        put(p, "dropout", dropout);
        put(p, "attn_dropout", attnDropout);
        put(p, "lr", lr);
        put(p, "weight_decay", weightDecay);
        put(p, "batch", batch);
        put(p, "epochs", epochs);
        put(p, "patience", patience);
        eval.applyThreads();
        RunDir run = Runs.train(TrainRequest.builder(model, data.source(), out).params(RunParams.withPreset(model, preset, p))
                .seed(seed).protocol(eval.protocol(Protocol.FULL)).negatives(eval.negatives).negativesSeed(eval.negativesSeed)
                .evaluate(!noEval).evalBatch(eval.batch).overwrite(overwrite).resume(resume).keepHistories(keepHistories)
                .build());
        if (json) {
            com.fasterxml.jackson.databind.node.ObjectNode o = org.seqrec.util.Json.object();
            o.put("run", out.toString());
            o.set("results", noEval ? null : org.seqrec.util.Json.read(run.results()));
            System.out.println(o.toPrettyString());
            return 0;
        }
        if (!noEval) {
            System.out.print(RunResults.markdown(run));
        }
        System.out.println("run saved in " + out);
        return 0;
    }

    private static void put(Map<String, Object> p, String key, Object value) {
        if (value != null) {
            p.put(key, value);
        }
    }

    static Object parse(String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException e2) {
                return v;
            }
        }
    }

    /** Model names for the help text. */
    static final class ModelNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return ModelRegistry.names().iterator();
        }
    }
}

/** The evaluation options shared by {@code train} and {@code evaluate}. */
class EvalOptions {
    @Option(names = "--protocol", paramLabel = "P",
            description = "full (every item a candidate), sampled (1 vs 99 negatives, the papers' Table 3) or uni100 (1 vs 100)."
                    + " Default: sampled with --negatives or --negatives-seed; else full for train, and for evaluate the protocol the run was trained with.")
    String protocol;

    @Option(names = "--negatives", paramLabel = "FILE",
            description = "Fixed negatives file (FMLP *_sample.txt layout, e.g. 'seqrec data sample'); default: the run's own, else derived per user from --negatives-seed (no file).")
    Path negatives;

    @Option(names = "--negatives-seed", paramLabel = "SEED",
            description = "Seed the negatives are derived from (replacing the run's own). Default: the run's own, else 42.")
    Long negativesSeed;

    @Option(names = "--eval-batch", defaultValue = "256", paramLabel = "N", description = "Users per evaluation batch. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--threads", paramLabel = "N", description = "Engine (PyTorch intra-op) threads; default: all cores.")
    Integer threads;

    void applyThreads() {
        applyThreads(threads);
    }

    /** Sets the engine's intra-op threads when {@code threads} is given (the {@code --threads} option of several commands). */
    static void applyThreads(Integer threads) {
        if (threads != null) {
            if (threads < 1) {
                throw new SeqrecException("--threads must be positive, got " + threads);
            }
            ai.djl.engine.Engine.getInstance();
            ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
        }
    }

    /** The protocol asked for, else sampled when a negatives file or seed is given, else {@code dflt}. */
    Protocol protocol(Protocol dflt) {
        if (negatives != null && negativesSeed != null) {
            throw new SeqrecException("give --negatives FILE or --negatives-seed SEED, not both");
        }
        boolean chosen = negatives != null || negativesSeed != null;
        Protocol p = protocol != null ? Protocol.parse(protocol) : chosen ? Protocol.SAMPLED : dflt;
        if (!p.sampled() && chosen) {
            throw new SeqrecException((negatives != null ? "--negatives" : "--negatives-seed")
                    + " only applies to the sampled protocols, not " + p.key());
        }
        return p;
    }
}
