package org.seqrec.train;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.seqrec.model.ModelSpec;
import org.seqrec.util.SeqrecException;

/**
 * Checks a run's hyper-parameters before anything is written or trained: every name must be one the
 * model declares ({@link ModelSpec#defaults()}, plus the trainer's optional ones for neural models),
 * every value must have the declared type (that of the default: integer, number, true/false) and lie
 * in the range that makes sense for it (sizes positive and bounded, probabilities in [0, 1), a positive
 * learning rate, ...). Text values (activation names, paddings) are checked by the model itself.
 */
public final class ParamCheck {
    private ParamCheck() {}

    private enum Kind { INT, REAL, BOOL }

    /** A type and a closed or half-open range. */
    private record Rule(Kind kind, double min, double max, boolean maxOpen) {
        static Rule ints(long min, long max) {
            return new Rule(Kind.INT, min, max, false);
        }

        static Rule reals(double min, double max, boolean maxOpen) {
            return new Rule(Kind.REAL, min, max, maxOpen);
        }

        String describe() {
            return switch (kind) {
                case INT -> "an integer in " + (long) min + ".." + (long) max;
                case REAL -> "a number in [" + fmt(min) + ", " + fmt(max) + (maxOpen ? ")" : "]");
                case BOOL -> "true or false";
            };
        }

        private static String fmt(double v) {
            return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
        }
    }

    /** The sizes that bound memory: large enough for any paper's setting, small enough to fail here rather than in the engine. */
    private static final Map<String, Rule> RULES = Map.ofEntries(
            Map.entry("hidden", Rule.ints(1, 8192)),
            Map.entry("layers", Rule.ints(1, 64)),
            Map.entry("max_len", Rule.ints(1, 100_000)),
            Map.entry("heads", Rule.ints(1, 256)),
            Map.entry("kernel", Rule.ints(1, 100_000)),
            Map.entry("extractor_kernel", Rule.ints(0, 100_000)),
            Map.entry("field_dim", Rule.ints(1, 8192)),
            Map.entry("extractor_dropout", Rule.reals(-1, 1, true)),
            Map.entry("attention_size", Rule.ints(1, 8192)),
            Map.entry("window", Rule.ints(0, 100_000)),
            Map.entry("reduction", Rule.ints(1, 8192)),
            Map.entry("batch", Rule.ints(1, 1 << 20)),
            Map.entry("epochs", Rule.ints(1, 1_000_000)),
            Map.entry("patience", Rule.ints(1, 1_000_000)),
            Map.entry("profile_steps", Rule.ints(0, 1_000_000)),
            Map.entry("max_batches", Rule.ints(0, Integer.MAX_VALUE)),
            Map.entry("group_overhead", Rule.ints(0, Integer.MAX_VALUE)),
            Map.entry("caser_len", Rule.ints(1, 100_000)),
            Map.entry("n_h", Rule.ints(1, 8192)),
            Map.entry("n_v", Rule.ints(1, 8192)),
            Map.entry("gru_hidden", Rule.ints(0, 8192)),
            Map.entry("block_num", Rule.ints(1, 1024)),
            Map.entry("step", Rule.ints(1, 64)),
            Map.entry("weight", Rule.reals(0, 1, false)),
            Map.entry("sess_dropout", Rule.reals(0, 1, true)),
            Map.entry("temperature", Rule.reals(1e-6, 100, false)),
            Map.entry("prototypes", Rule.ints(1, 1_000_000)),
            Map.entry("interests", Rule.ints(1, 1024)),
            Map.entry("inner", Rule.ints(0, 65536)),
            Map.entry("dropout", Rule.reals(0, 1, true)),
            Map.entry("attn_dropout", Rule.reals(0, 1, true)),
            Map.entry("drop_path", Rule.reals(0, 1, true)),
            Map.entry("mask_prob", Rule.reals(0, 1, true)),
            Map.entry("lr", Rule.reals(Double.MIN_VALUE, 10, false)),
            Map.entry("weight_decay", Rule.reals(0, 10, false)),
            Map.entry("order_std", Rule.reals(0, 100, false)));

    /**
     * Checks {@code params} (the model's defaults merged with the user's settings) for {@code model}.
     *
     * @throws SeqrecException naming the first unknown name or bad value, and what is expected
     */
    public static void check(String model, ModelSpec spec, Map<String, Object> params) {
        Set<String> known = Training.knownParams(spec);
        Map<String, Object> defaults = Training.defaults(spec);
        for (Map.Entry<String, Object> e : params.entrySet()) {
            String key = e.getKey();
            if (!known.contains(key)) {
                throw new SeqrecException("model " + model + " has no hyper-parameter '" + key + "' (it has: "
                        + String.join(", ", known) + ")");
            }
            Rule rule = rule(key, defaults.get(key));
            if (rule != null) {
                checkValue(model, key, e.getValue(), rule);
            }
        }
        Object select = params.get("select");
        if (select != null && !Trainer.NO_SELECTION.equals(select) && !org.seqrec.eval.RankMetrics.isMetric(String.valueOf(select))) {
            throw new SeqrecException(model + ": select must be HR@k, NDCG@k, MRR@k or MRR (e.g. " + org.seqrec.eval.RankMetrics.names()
                    + " or none), got '" + select + "'");
        }
    }

    /** The rule for {@code key}: its own, else one from the type of its default, else none (text: the model checks it). */
    private static Rule rule(String key, Object dflt) {
        Rule r = RULES.get(key);
        if (r != null) {
            return r;
        }
        if (dflt instanceof Boolean) {
            return new Rule(Kind.BOOL, 0, 1, false);
        }
        if (dflt instanceof Integer || dflt instanceof Long) {
            return Rule.ints(Integer.MIN_VALUE, Integer.MAX_VALUE);
        }
        if (dflt instanceof Double || dflt instanceof Float) {
            return Rule.reals(-Double.MAX_VALUE, Double.MAX_VALUE, false);
        }
        return null;
    }

    private static void checkValue(String model, String key, Object v, Rule rule) {
        String bad = model + ": " + key + " must be " + rule.describe() + ", got '" + v + "'";
        switch (rule.kind()) {
            case BOOL -> {
                String s = String.valueOf(v);
                if (!(v instanceof Boolean || s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false") || s.equals("1")
                        || s.equals("0"))) {
                    throw new SeqrecException(bad);
                }
            }
            case INT -> {
                if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue()) || n.doubleValue() != Math.rint(n.doubleValue())
                        || n.doubleValue() < rule.min() || n.doubleValue() > rule.max()) {
                    throw new SeqrecException(bad);
                }
            }
            case REAL -> {
                if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue()) || n.doubleValue() < rule.min()
                        || (rule.maxOpen() ? n.doubleValue() >= rule.max() : n.doubleValue() > rule.max())) {
                    throw new SeqrecException(bad);
                }
            }
            default -> throw new IllegalStateException();
        }
    }
}
