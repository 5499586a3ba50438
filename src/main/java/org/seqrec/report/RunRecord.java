package org.seqrec.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.stat.descriptive.rank.Median;
import org.seqrec.eval.Protocol;
import org.seqrec.model.NeuralSpec;
import org.seqrec.model.zoo.ModelRegistry;
import org.seqrec.run.RunDir;
import org.seqrec.train.ModelCost;
import org.seqrec.train.TrainingHistory;
import org.seqrec.util.Json;
import org.seqrec.util.SeqrecException;

/**
 * One finished run as a report sees it, read from its run directory ({@link RunDir}): what it is
 * (the label its group is shown under, the model whose paper figure it is compared with, the
 * distinguishing params), on what (dataset, protocol, seed) and what came out (valid and test
 * metrics, evaluation time, training cost).
 *
 * @param label the row label runs are grouped under: a model, or an experiment's configuration
 * @param model the key of the paper's figure in a reference file
 */
public record RunRecord(Path dir, String label, String model, Map<String, Object> params, String dataset, Protocol protocol,
        long seed, int users, double evalSecondsTest, String machine, Map<String, Double> test, Map<String, Double> valid,
        Cost training) {

    /**
     * What training cost: epochs run and the best one, the median seconds of a full training epoch
     * and the peak resident memory ({@code history.jsonl}), the model's size and MACs per sequence
     * ({@code cost.json}); each null where the run does not have it (older runs, PopRec).
     */
    public record Cost(Integer epochs, Integer bestEpoch, Double medianTrainSecondsPerEpoch, Long peakRssMb, ModelCost model) {
        static Cost read(RunDir run) {
            Integer epochs = null;
            Integer best = null;
            Double median = null;
            Long peak = null;
            if (Files.isRegularFile(run.history())) {
                List<Double> seconds = new ArrayList<>();
                long maxRss = -1;
                int bestEpoch = -1;
                List<TrainingHistory.Line> lines = TrainingHistory.read(run.history());
                for (TrainingHistory.Line line : lines) {
                    JsonNode h = line.node();
                    bestEpoch = h.path("best_epoch").asInt(bestEpoch);
                    if (!h.has("batches") || h.path("batches").asInt() == h.path("epoch_batches").asInt()) {
                        seconds.add(h.path("train_seconds").asDouble());
                    }
                    maxRss = Math.max(maxRss, h.path("peak_rss_mb").asLong(-1));
                }
                epochs = lines.size();
                best = bestEpoch;
                median = seconds.isEmpty() ? null : new Median().evaluate(seconds.stream().mapToDouble(Double::doubleValue).toArray());
                peak = maxRss > 0 ? maxRss : null;
            }
            ModelCost model = Files.isRegularFile(run.cost()) ? Json.read(run.cost(), ModelCost.class) : null;
            return new Cost(epochs, best, median, peak, model);
        }
    }

    /**
     * The run at {@code dir} under {@code protocol}; labelled by its model, with the regime in
     * brackets when it was trained in another regime than its model's own ({@code --param regime}):
     * such a run is its own row and has no paper figure.
     */
    public static RunRecord read(Path dir, Protocol protocol) {
        RunDir run = new RunDir(dir);
        Path file = run.results(protocol);
        if (!Files.isRegularFile(file)) {
            throw new SeqrecException(dir + " has no " + protocol.key() + " results (run 'seqrec evaluate --run " + dir
                    + " --protocol " + protocol.key() + "')");
        }
        JsonNode r = Json.read(file);
        for (String field : new String[] {"/model", "/dataset/name", "/test"}) {
            JsonNode v = r.at(field);
            if (v.isMissingNode() || v.isNull() || v.isValueNode() && v.asText().isEmpty()) {
                throw new SeqrecException(file + " is not a seqrec results file: it has no " + field.substring(1).replace('/', '.'));
            }
        }
        Map<String, Object> params = Files.isRegularFile(run.config())
                ? Json.MAPPER.convertValue(Json.read(run.config()).path("params"), Json.MAPPER.getTypeFactory()
                        .constructMapType(LinkedHashMap.class, String.class, Object.class))
                : null;
        params = params == null ? Map.of() : params;
        String regime = regimeNotItsOwn(run, r.path("model").asText(), params);
        String model = r.path("model").asText() + (regime.isEmpty() ? "" : " (" + regime + ")");
        return new RunRecord(dir, model, model, params, r.path("dataset").path("name").asText(), protocol, r.path("seed").asLong(),
                r.path("dataset").path("evaluated_users").asInt(), r.path("seconds").path("test").asDouble(),
                r.path("versions").path("machine").asText(), metrics(r.path("test")), metrics(r.path("valid")), Cost.read(run));
    }

    /**
     * The regime the run trained in where that is not its model's own today, else "": the regime its history records
     * (runs before that was recorded: the {@code regime} param), against the objective its registry entry declares (a
     * model whose default regime changed keeps its older runs apart from the paper's figure).
     */
    static String regimeNotItsOwn(RunDir run, String modelName, Map<String, Object> params) {
        String trained = "";
        if (Files.isRegularFile(run.history())) {
            List<TrainingHistory.Line> lines = TrainingHistory.read(run.history());
            trained = lines.isEmpty() ? "" : lines.get(0).node().path("regime").asText("");
        }
        if (trained.isEmpty()) {
            return params.containsKey("regime") ? String.valueOf(params.get("regime")) : "";
        }
        String own;
        try {
            own = ModelRegistry.get(modelName) instanceof NeuralSpec neural ? neural.objective(params).name() : trained;
        } catch (SeqrecException e) { // a model this version does not have
            own = params.containsKey("regime") ? "" : trained;
        }
        return trained.equals(own) ? "" : trained;
    }

    /** This run under another label, paper key, params and dataset name (an experiment's configuration). */
    public RunRecord as(String label, String model, Map<String, Object> params, String dataset) {
        return new RunRecord(dir, label, model, params, dataset, protocol, seed, users, evalSecondsTest, machine, test, valid, training);
    }

    private static Map<String, Double> metrics(JsonNode node) {
        Map<String, Double> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isNumber() ? e.getValue().asDouble() : Double.NaN));
        return out;
    }
}
