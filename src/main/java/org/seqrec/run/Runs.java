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
import org.seqrec.data.IdMap;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.eval.EvalResult;
import org.seqrec.eval.Evaluator;
import org.seqrec.eval.Protocol;
import org.seqrec.model.ModelSpec;
import org.seqrec.model.NeuralSpec;
import org.seqrec.model.RecModel;
import org.seqrec.model.zoo.ModelRegistry;
import org.seqrec.nn.LengthGroups;
import org.seqrec.train.ParamCheck;
import org.seqrec.train.TrainContext;
import org.seqrec.train.Training;
import org.seqrec.util.AtomicFiles;
import org.seqrec.util.Json;
import org.seqrec.util.SeqrecException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Training and evaluating runs: what {@code seqrec train} and {@code seqrec evaluate} do. */
public final class Runs {
    private static final Logger LOG = LoggerFactory.getLogger(Runs.class);

    private Runs() {}

    /**
     * Trains a model into a new run directory, then (unless told not to) evaluates it. Everything that
     * can be checked is checked before the directory is touched (model, hyper-parameters, data); the run
     * is locked for the whole time ({@link RunLock}); a fresh run that fails before its first checkpoint
     * is removed, so the corrected command starts clean.
     */
    public static RunDir train(TrainRequest req) {
        ModelSpec spec = ModelRegistry.get(req.model());
        Map<String, Object> params = RunParams.checkParams(req.model(), req.params());
        if (req.evalBatch() < 1) {
            throw new SeqrecException("--eval-batch must be positive, got " + req.evalBatch());
        }
        Dataset data = req.data().load();
        if (spec instanceof NeuralSpec neural) {
            params = neural.dataParams(params, data); // e.g. the user table's rows: one per dataset user
        }
        RunConfig config = new RunConfig(req.model(), params, req.data(), req.seed(), req.protocol().key(),
                Instant.now().toString(), Versions.all());
        boolean fresh = !req.resume();
        boolean created = fresh && !Files.exists(req.out());
        if (fresh) {
            RunDir.checkCanCreate(req.out(), req.overwrite(), true);
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
                    RunParams.checkSameRun(run, config);
                    run.dropManifest(); // the weights change from here on; a new manifest is written at the end
                } else {
                    run = RunDir.prepare(req.out(), req.overwrite());
                }
                RunDir result = train(req, spec, params, config, data, run);
                done = true;
                return result;
            } finally {
                if (!done && fresh) {
                    RunDir.abandon(req.out(), created);
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
        writeDataFiles(run, req.data(), data, split, req.keepHistories() && (!req.resume() || !Files.isRegularFile(run.histories())),
                readsUsers(spec));
        try (NDManager manager = NDManager.newBaseManager()) {
            NegativesChoice choice = new NegativesChoice(req.negatives(), req.negativesSeed());
            NegativesChoice.Resolved negs = choice.resolve(run, split, req.protocol());
            if (negs != null) {
                NegativesChoice.Resolved own = req.resume() && choice.explicit() ? NegativesChoice.own(run, split, req.protocol()) : null;
                if (own != null && !own.record().path("sha256").equals(negs.record().path("sha256"))) {
                    throw new SeqrecException(req.out() + " was validated on other negatives (" + own.record() + "); a resumed run keeps"
                            + " them: drop --negatives / --negatives-seed, or evaluate the finished run with others");
                }
                negs.commit(run, req.protocol());
            }
            Evaluator validation = new Evaluator(split, req.protocol(), negs == null ? null : negs.negatives(), req.evalBatch());
            TrainContext ctx = new TrainContext(split, params, req.seed(), manager, run.trainFiles(), validation, req.resume());
            ai.djl.engine.Engine.getInstance().setRandomSeed((int) req.seed()); // weight initialisation
            long start = System.nanoTime();
            try (RecModel model = Training.train(spec, ctx)) {
                LOG.info("trained {} on {} in {}", req.model(), data.name(), seconds(start));
                model.save(run.model());
                run.writeManifest();
                if (req.evaluate()) {
                    evaluate(run, config, split, model, validation, negs, manager);
                }
            }
        }
        return run;
    }

    /** What a run keeps of its data: the dataset's fingerprint, the item map, training popularity and (optionally) the user histories. */
    private static void writeDataFiles(RunDir run, DataSource source, Dataset data, LeaveOneOut split, boolean histories,
            boolean userMap) {
        ObjectNode ds = Json.MAPPER.valueToTree(DatasetStats.of(data));
        ds.put("path", source.path());
        Json.write(run.dataset(), ds);
        data.itemMap().write(run.itemMap());
        if (userMap) { // dataset user index -> original id: the rows of a model that reads user ids
            List<String> ids = new java.util.ArrayList<>(data.numUsers());
            for (int u = 0; u < data.numUsers(); u++) {
                ids.add(data.originalUserId(u));
            }
            new IdMap(ids).write(run.userMap());
        }
        Popularity.write(run.popularity(), Popularity.count(split));
        if (histories) {
            HistoryStore.write(run.histories(), data);
        }
    }

    /** Whether models of {@code spec} read user ids (their runs record {@code num_users} and keep a user map). */
    private static boolean readsUsers(ModelSpec spec) {
        return spec instanceof NeuralSpec neural && neural.readsUsers();
    }

    /** Refuses early (before any data is read) what {@link #create} would refuse: an existing {@code out} without overwrite. */
    public static void checkCanCreate(Path out, boolean overwrite) {
        RunDir.checkCanCreate(out, overwrite, false);
    }

    /**
     * A new run directory at {@code out} for a model whose weights come from elsewhere (an imported
     * checkpoint): its config, the data files a trained run has, the weights {@code writeModel} saves into
     * the run's model folder, and the manifest. Refused before anything is written where {@code out}
     * exists (unless {@code overwrite}); locked while written; removed again when anything fails.
     */
    public static RunDir create(RunConfig config, Dataset data, Path out, boolean overwrite, boolean keepHistories,
            java.util.function.Consumer<RunDir> writeModel) {
        boolean created = !Files.exists(out);
        RunDir.checkCanCreate(out, overwrite, false);
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new SeqrecException("cannot create run directory " + out + ": " + e.getMessage(), e);
        }
        boolean done = false;
        try (RunLock lock = RunLock.acquire(out)) {
            try {
                RunDir run = RunDir.prepare(out, overwrite);
                Json.write(run.config(), config);
                writeDataFiles(run, config.data(), data, new LeaveOneOut(data), keepHistories, readsUsers(ModelRegistry.get(config.model())));
                writeModel.accept(run);
                run.writeManifest();
                done = true;
                return run;
            } finally {
                if (!done) {
                    RunDir.abandon(out, created);
                }
            }
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
            NegativesChoice.Resolved negs = choice.resolve(run, split, protocol);
            Evaluator evaluator = new Evaluator(split, protocol, negs == null ? null : negs.negatives(), evalBatch);
            try (RecModel model = spec.load(run.model(), data.numItems(), config.params(), manager)) {
                return evaluate(run, config, split, model, evaluator, negs, manager);
            }
        }
    }

    /** Evaluates on valid and test, writes the results files, then (only then) makes {@code negs} the run's own. */
    private static JsonNode evaluate(RunDir run, RunConfig config, LeaveOneOut split, RecModel model, Evaluator evaluator,
            NegativesChoice.Resolved negs, NDManager manager) {
        EvalResult valid = evaluator.evaluate(model, LeaveOneOut.Part.VALID, manager);
        EvalResult test = evaluator.evaluate(model, LeaveOneOut.Part.TEST, manager);
        Protocol p = evaluator.protocol();
        ObjectNode out = Json.object();
        out.put("run", run.dir().toString());
        out.put("model", config.model());
        out.put("protocol", p.key());
        out.put("seed", config.seed());
        if (p.sampled()) {
            out.set("negatives", negs.record());
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
        RunResults.writeRanks(run.ranks(p), split, valid, test);
        if (negs != null) {
            negs.commit(run, p);
        }
        AtomicFiles.writeString(run.resultsMarkdown(), RunResults.markdown(run));
        LOG.info("{} {}: valid {} | test {}", config.model(), p.key(), RunResults.brief(valid, p), RunResults.brief(test, p));
        return out;
    }

    private static String seconds(long startNanos) {
        return String.format("%.2fs", (System.nanoTime() - startNanos) / 1e9);
    }
}
