package org.seqrec.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.seqrec.eval.Protocol;
import org.seqrec.run.NegativesChoice;
import org.seqrec.run.RunConfig;
import org.seqrec.run.RunDir;
import org.seqrec.run.RunResults;
import org.seqrec.run.Runs;
import org.seqrec.util.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code seqrec evaluate}. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, description = "Evaluate a saved run under a protocol; writes results.json, results-PROTOCOL.json and results.md.")
final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, paramLabel = "DIR", description = "Run directory.")
    Path run;

    @Mixin EvalOptions eval;

    @Option(names = "--json", description = "Print JSON on stdout instead of tables.")
    boolean json;

    @Override
    public Integer call() {
        Protocol p = eval.protocol(Protocol.parse(Json.read(RunDir.existing(run).config(), RunConfig.class).protocol()));
        eval.applyThreads();
        JsonNode results = Runs.evaluate(run, p, new NegativesChoice(eval.negatives, eval.negativesSeed), eval.batch);
        if (json) {
            System.out.println(results.toPrettyString());
            return 0;
        }
        System.out.print(RunResults.table(p, results));
        System.out.printf("evaluated in %.2fs (valid) + %.2fs (test); wrote %s%n", results.path("seconds").path("valid").asDouble(),
                results.path("seconds").path("test").asDouble(), run.resolve("results.json"));
        return 0;
    }
}
