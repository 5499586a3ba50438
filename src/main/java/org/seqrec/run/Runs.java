package org.seqrec.run;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.seqrec.data.DataSource;
import org.seqrec.data.Dataset;
import org.seqrec.data.DatasetStats;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.data.Negatives;
import org.seqrec.eval.EvalResult;
import org.seqrec.eval.Evaluator;
import org.seqrec.eval.Protocol;
import org.seqrec.model.ModelSpec;
import org.seqrec.model.RecModel;
import org.seqrec.model.zoo.ModelRegistry;
import org.seqrec.nn.LengthGroups;
import org.seqrec.train.ParamCheck;
import org.seqrec.train.TrainContext;
import org.seqrec.train.Training;
import org.seqrec.util.AtomicFiles;
import org.seqrec.util.Hashing;
import org.seqrec.util.Json;
import org.seqrec.util.SeqrecException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Training and evaluating runs: what {@code seqrec train} and {@code seqrec evaluate} do. */
public final class Runs {
    private static final Logger LOG = LoggerFactory.getLogger(Runs.class);

    private Runs() {}

    /** What to train and where. */
    public record TrainRequest(String model, Map<String, Object> params, DataSource data, Path out, long seed,
            Protocol protocol, Path negatives, long negativesSeed, boolean evaluate, int evalBatch, boolean overwrite,
            boolean resume) {}

    /** Where negatives come from when a sampled protocol needs them. */
    public record NegativesChoice(Path file, long seed) {}

    /**
     * Trains a model into a new run directory, then (unless told not to) evaluates it. Everything that
     * can be checked is checked before the directory is touched (model, hyper-parameters, data); the run
     * is locked for the whole time ({@link RunLock}); a fresh run that fails before its first checkpoint
     * is removed, so the corrected command starts clean.
     */
    public static RunDir train(TrainRequest req) {
        ModelSpec spec = ModelRegistry.get(req.model());
        Map<String, Object> params = checkParams(req.model(), req.params());
        if (req.evalBatch() < 1) {
            throw new SeqrecException("--eval-batch must be positive, got " + req.evalBatch());
        }
        RunConfig config = new RunConfig(req.model(), params, req.data(), req.seed(), req.protocol().key(),
                Instant.now().toString(), Versions.all());
        Dataset data = req.data().load();
        boolean fresh = !req.resume();
        boolean created = fresh && !Files.exists(req.out());
        if (fresh) {
            checkCanCreate(req.out(), req.overwrite());
            try {
                Files.createDirectories(req.out());
            } catch (IOException e) {
                throw new SeqrecException("cannot create run directory " + req.out() + ": " + e.getMessage(), e);
            }
        } else {
            RunDir.existing(req.out());
        }
        boolean done = false;
        try (RunLock lock = RunLock.acquire(req.out())) { // a second writer fails here and touches nothing
            try {
                RunDir run;
                if (req.resume()) {
                    run = RunDir.existing(req.out());
                    checkSameRun(run, config);
                    run.dropManifest(); // the weights change from here on; a new manifest is written at the end
                } else {
                    run = prepare(req.out(), req.overwrite());
                }
                RunDir result = train(req, spec, params, config, data, run);
                done = true;
                return result;
            } finally {
                if (!done && fresh) {
                    abandon(req.out(), created);
                }
            }
        }
    }

    private static RunDir train(TrainRequest req, ModelSpec spec, Map<String, Object> params, RunConfig config, Dataset data,
            RunDir run) {
        LeaveOneOut split = new LeaveOneOut(data);
        if (!req.resume()) {
            Json.write(run.config(), config);
        }
        ObjectNode ds = Json.MAPPER.valueToTree(DatasetStats.of(data));
        ds.put("path", req.data().path());
        Json.write(run.dataset(), ds);
        data.itemMap().write(run.itemMap());
        org.seqrec.run.Popularity.write(run.dir().resolve(org.seqrec.run.Popularity.FILE), org.seqrec.run.Popularity.count(split));
        try (NDManager manager = NDManager.newBaseManager()) {
            Negatives negatives = negatives(run, split, req.protocol(), new NegativesChoice(req.negatives(), req.negativesSeed()));
            Evaluator validation = new Evaluator(split, req.protocol(), negatives, req.evalBatch());
            TrainContext ctx = new TrainContext(split, params, req.seed(), manager, run.dir(), validation, req.resume());
            ai.djl.engine.Engine.getInstance().setRandomSeed((int) req.seed()); // weight initialisation
            long start = System.nanoTime();
            try (RecModel model = Training.train(spec, ctx)) {
                LOG.info("trained {} on {} in {}", req.model(), data.name(), seconds(start));
                model.save(run.model());
                run.writeManifest();
                if (req.evaluate()) {
                    evaluate(run, config, split, model, validation, manager);
                }
            }
        }
        return run;
    }

    /** Refuses early what {@link #prepare} would refuse, before the directory is created or locked. */
    private static void checkCanCreate(Path out, boolean overwrite) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new SeqrecException(out + " is a file, not a directory");
        }
        if (!overwrite && !isEmptyDir(out)) {
            throw new SeqrecException(out + " already exists and is not empty (use --overwrite to replace it, or --resume"
                    + " to continue it)");
        }
    }

    /** Whether {@code dir} is missing or holds nothing but a lock file left by an earlier command. */
    private static boolean isEmptyDir(Path dir) {
        if (!Files.isDirectory(dir)) {
            return true;
        }
        try (var list = Files.list(dir)) {
            return list.allMatch(p -> p.getFileName().toString().equals(RunLock.FILE));
        } catch (IOException e) {
            throw new SeqrecException("cannot read " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * After a fresh run failed: if no epoch was committed, removes what it wrote (the directory too when
     * this command created it), so that the corrected command is not told the directory exists; a run
     * with a checkpoint is kept for {@code --resume}.
     */
    private static void abandon(Path out, boolean created) {
        if (Files.isRegularFile(out.resolve("checkpoint").resolve("state.json"))) {
            LOG.warn("{} keeps its last checkpoint: continue it with the same command and --resume", out);
            return;
        }
        try (var walk = Files.walk(out)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!p.equals(out) || created) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            LOG.warn("could not remove the unfinished run {}: {}", out, e.getMessage());
        }
    }

    /** Evaluates a saved run under a protocol; writes results files and returns the results JSON. */
    public static JsonNode evaluate(Path runPath, Protocol protocol, NegativesChoice choice, int evalBatch) {
        RunDir run = RunDir.verified(runPath);
        RunConfig config = Json.read(run.config(), RunConfig.class);
        ModelSpec spec = ModelRegistry.get(config.model());
        Dataset data = config.data().load();
        String expected = Json.read(run.dataset()).path("fingerprint").asText();
        if (!expected.equals(data.fingerprint())) {
            throw new SeqrecException(config.data().path() + " has changed since " + runPath + " was trained (fingerprint "
                    + data.fingerprint() + ", trained on " + expected + ")");
        }
        LeaveOneOut split = new LeaveOneOut(data);
        try (RunLock lock = RunLock.acquire(run.dir()); NDManager manager = NDManager.newBaseManager()) {
            Negatives negatives = negatives(run, split, protocol, choice);
            Evaluator evaluator = new Evaluator(split, protocol, negatives, evalBatch);
            try (RecModel model = spec.load(run.model(), data.numItems(), config.params(), manager)) {
                return evaluate(run, config, split, model, evaluator, manager);
            }
        }
    }

    private static JsonNode evaluate(RunDir run, RunConfig config, LeaveOneOut split, RecModel model, Evaluator evaluator,
            NDManager manager) {
        EvalResult valid = evaluator.evaluate(model, LeaveOneOut.Part.VALID, manager);
        EvalResult test = evaluator.evaluate(model, LeaveOneOut.Part.TEST, manager);
        Protocol p = evaluator.protocol();
        ObjectNode out = Json.object();
        out.put("run", run.dir().toString());
        out.put("model", config.model());
        out.put("protocol", p.key());
        out.put("seed", config.seed());
        if (p.sampled()) {
            ObjectNode neg = out.putObject("negatives");
            neg.put("file", run.negatives(p).getFileName().toString());
            neg.put("sha256", Hashing.sha256(run.negatives(p)));
            neg.put("per_user", p.negatives());
        }
        Dataset data = split.data();
        ObjectNode ds = out.putObject("dataset");
        ds.put("name", data.name());
        ds.put("path", config.data().path());
        ds.put("fingerprint", data.fingerprint());
        ds.put("users", data.numUsers());
        ds.put("items", data.numItems());
        ds.put("evaluated_users", split.numUsers());
        ds.put("skipped_users", split.skippedUsers());
        out.set("valid", Json.MAPPER.valueToTree(valid.metrics()));
        out.set("test", Json.MAPPER.valueToTree(test.metrics()));
        ObjectNode secs = out.putObject("seconds");
        secs.put("valid", valid.seconds());
        secs.put("test", test.seconds());
        out.set("versions", Json.MAPPER.valueToTree(Versions.all()));
        out.put("created", Instant.now().toString());
        Json.write(run.results(p), out);
        Json.write(run.results(), out);
        writeRanks(run.ranks(p), split, valid, test);
        AtomicFiles.writeString(run.resultsMarkdown(), markdown(run));
        LOG.info("{} {}: valid {} | test {}", config.model(), p.key(), brief(valid, p), brief(test, p));
        return out;
    }

    /**
     * The negatives for a sampled protocol (null for full): the file given (validated, then copied
     * into the run), else the run's own file, else freshly drawn with the seed and saved in the run.
     */
    static Negatives negatives(RunDir run, LeaveOneOut split, Protocol p, NegativesChoice choice) {
        if (!p.sampled()) {
            return null;
        }
        Path target = run.negatives(p);
        if (choice.file() != null) {
            Negatives n = Negatives.read(choice.file(), split, p.negatives());
            if (!choice.file().toAbsolutePath().equals(target.toAbsolutePath())) {
                AtomicFiles.write(target, out -> Files.copy(choice.file(), out));
            }
            return n;
        }
        if (Files.isRegularFile(target)) {
            return Negatives.read(target, split, p.negatives());
        }
        LOG.info("drawing {} negatives per user with seed {} -> {}", p.negatives(), choice.seed(), target);
        Negatives n = Negatives.sample(split.data(), p.negatives(), choice.seed());
        n.write(target, split.data());
        return n;
    }

    /**
     * A resumed run must be the same run: model, hyper-parameters, data, seed and protocol. Params that
     * change how the engine is called but not the results ({@link LengthGroups#PARAMS}) may differ,
     * so a run started before such a param existed, or with it off, resumes.
     */
    static void checkSameRun(RunDir run, RunConfig wanted) {
        JsonNode a = sameRunFields(Json.read(run.config(), RunConfig.class));
        JsonNode b = sameRunFields(wanted);
        if (!a.equals(b)) {
            throw new SeqrecException("cannot resume " + run.dir() + ": its config.json differs from this command's\n  run:     "
                    + a + "\n  command: " + b);
        }
    }

    /** What makes two configs the same run: all but the creation time, the versions and the length-group params. */
    private static JsonNode sameRunFields(RunConfig c) {
        Map<String, Object> params = new LinkedHashMap<>(c.params());
        params.keySet().removeAll(LengthGroups.PARAMS);
        return Json.MAPPER.valueToTree(new RunConfig(c.model(), params, c.data(), c.seed(), c.protocol(), null, null));
    }

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
     * what {@link #train} trains with, and what a dry run of an experiment validates.
     */
    public static Map<String, Object> checkParams(String model, Map<String, Object> params) {
        ModelSpec spec = ModelRegistry.get(model);
        Map<String, Object> merged = Training.defaults(spec);
        merged.putAll(params);
        checkKnownParams(model, spec, merged); // the defaults too: a preset or an old config cannot smuggle a bad value
        return merged;
    }

    /** Names, types and ranges of a run's hyper-parameters ({@link ParamCheck}). */
    static void checkKnownParams(String model, ModelSpec spec, Map<String, Object> given) {
        ParamCheck.check(model, spec, given);
    }

    /** Empties {@code out} for a fresh run (the caller holds its lock, which stays). */
    private static RunDir prepare(Path out, boolean overwrite) {
        try {
            if (!isEmptyDir(out)) {
                if (!overwrite) {
                    throw new SeqrecException(out + " already exists and is not empty (use --overwrite to replace it)");
                }
                if (!Files.isRegularFile(out.resolve("config.json"))) {
                    throw new SeqrecException(out + " is not a seqrec run directory; refusing to overwrite it");
                }
                try (var walk = Files.walk(out)) {
                    for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        if (!p.equals(out) && !p.equals(out.resolve(RunLock.FILE))) {
                            Files.delete(p);
                        }
                    }
                }
            }
            Files.createDirectories(out.resolve("model"));
        } catch (IOException e) {
            throw new SeqrecException("cannot create run directory " + out + ": " + e.getMessage(), e);
        }
        return new RunDir(out);
    }

    private static void writeRanks(Path file, LeaveOneOut split, EvalResult valid, EvalResult test) {
        AtomicFiles.writeText(file, w -> {
            w.write("user\tvalid_rank\ttest_rank\n");
            int[] users = valid.users();
            for (int i = 0; i < users.length; i++) {
                w.write(split.data().userId(users[i]) + "\t" + valid.ranks()[i] + "\t" + test.ranks()[i] + "\n");
            }
        });
    }

    /** Markdown tables of every protocol this run has results for. */
    public static String markdown(RunDir run) {
        StringBuilder sb = new StringBuilder();
        RunConfig config = Json.read(run.config(), RunConfig.class);
        sb.append("# ").append(config.model()).append(" on ").append(dataName(config.data())).append("\n\n");
        for (Protocol p : Protocol.values()) {
            if (!Files.isRegularFile(run.results(p))) {
                continue;
            }
            JsonNode r = Json.read(run.results(p));
            sb.append(table(p, r));
            sb.append('\n');
        }
        return sb.toString();
    }

    /** One protocol's results as a Markdown table, valid and test rows. */
    public static String table(Protocol p, JsonNode results) {
        StringBuilder sb = new StringBuilder();
        List<String> metrics = new ArrayList<>(p.reportedMetrics());
        sb.append("Protocol `").append(p.key()).append("`");
        if (results.has("negatives")) {
            sb.append(" (").append(results.path("negatives").path("per_user").asInt()).append(" negatives, sha256 ")
                    .append(results.path("negatives").path("sha256").asText(), 0, 12).append(")");
        }
        sb.append(", ").append(results.path("dataset").path("evaluated_users").asInt()).append(" users\n\n");
        sb.append("| part |");
        metrics.forEach(m -> sb.append(' ').append(m).append(" |"));
        sb.append("\n|---|");
        metrics.forEach(m -> sb.append("---:|"));
        sb.append('\n');
        for (String part : List.of("valid", "test")) {
            sb.append("| ").append(part).append(" |");
            for (String m : metrics) {
                sb.append(String.format(" %.4f |", results.path(part).path(m).asDouble()));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String dataName(DataSource d) {
        return Path.of(d.path()).getFileName().toString();
    }

    private static String brief(EvalResult r, Protocol p) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String k : p.reportedMetrics()) {
            m.put(k, r.metric(k));
        }
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> sb.append(String.format("%s %.4f  ", k, v)));
        return sb.toString().trim();
    }

    private static String seconds(long startNanos) {
        return String.format("%.2fs", (System.nanoTime() - startNanos) / 1e9);
    }
}
