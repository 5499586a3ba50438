package org.seqrec.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.seqrec.model.ModelSpec;
import org.seqrec.model.zoo.ModelRegistry;
import org.seqrec.nn.LengthGroups;
import org.seqrec.train.ParamCheck;
import org.seqrec.train.Training;
import org.seqrec.util.Json;
import org.seqrec.util.SeqrecException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A run's hyper-parameters: presets, defaults merged and checked, and what makes a resumed run the same run. */
public final class RunParams {
    private static final Logger LOG = LoggerFactory.getLogger(RunParams.class);

    private RunParams() {}

    /**
     * A model's preset {@code name} ({@link ModelSpec#presets}) with {@code explicit} settings laid over
     * it; {@code explicit} alone when {@code name} is null.
     */
    public static Map<String, Object> withPreset(String model, String name, Map<String, Object> explicit) {
        if (name == null) {
            return explicit;
        }
        Map<String, Map<String, Object>> presets = ModelRegistry.get(model).presets();
        Map<String, Object> preset = presets.get(name.toLowerCase(java.util.Locale.ROOT));
        if (preset == null) {
            throw new SeqrecException("model " + model + " has no preset '" + name + "'"
                    + (presets.isEmpty() ? " (it has none)" : " (it has: " + String.join(", ", presets.keySet()) + ")"));
        }
        Map<String, Object> out = new LinkedHashMap<>(preset);
        out.putAll(explicit);
        LOG.info("preset {} of {}: {}", name, model, preset);
        return out;
    }

    /**
     * {@code params} of {@code model} merged over the model's defaults, checked (names, types, ranges):
     * what {@link Runs#train} trains with, and what a dry run of an experiment validates.
     */
    public static Map<String, Object> checkParams(String model, Map<String, Object> params) {
        ModelSpec spec = ModelRegistry.get(model);
        Map<String, Object> merged = Training.defaults(spec);
        merged.putAll(params);
        ParamCheck.check(model, spec, merged); // the defaults too: a preset or an old config cannot smuggle a bad value
        return merged;
    }

    /**
     * A resumed run must be the same run: model, hyper-parameters, data, seed and protocol. Params that
     * change how the engine is called but not the results ({@link LengthGroups#PARAMS}) may differ,
     * so a run started before such a param existed, or with it off, resumes.
     */
    public static void checkSameRun(RunDir run, RunConfig wanted) {
        RunConfig had = Json.read(run.config(), RunConfig.class);
        JsonNode a = sameRunFields(had, false);
        // a run that trained in its model's default regime records none: naming a regime to finish it is allowed here,
        // and the trainer checks it against the regime the checkpoint's history trained in
        JsonNode b = sameRunFields(wanted, !had.params().containsKey(REGIME));
        if (!a.equals(b)) {
            throw new SeqrecException("cannot resume " + run.dir() + ": its config.json differs from this command's\n  run:     "
                    + a + "\n  command: " + b);
        }
    }

    private static final String REGIME = "regime";

    /**
     * What makes two configs the same run: all but the creation time, the versions and the length-group params (and, with
     * {@code withoutRegime}, a named regime).
     */
    private static JsonNode sameRunFields(RunConfig c, boolean withoutRegime) {
        Map<String, Object> params = new LinkedHashMap<>(c.params());
        params.keySet().removeAll(LengthGroups.PARAMS);
        if (withoutRegime) {
            params.remove(REGIME);
        }
        RunConfig same = new RunConfig(c.model(), params, c.data(), c.seed(), c.protocol(), null, null);
        try { // compared as config.json holds them: a Long 3 from the command line and an Integer 3 read back are one value
            return Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(same));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

}
