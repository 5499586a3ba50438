package org.seqrec.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.seqrec.data.DataSource;
import org.seqrec.data.DatasetStats;
import org.seqrec.data.FmlpReader;
import org.seqrec.eval.Protocol;
import org.seqrec.train.Runs;
import org.seqrec.util.AtomicFiles;
import org.seqrec.util.SeqrecException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code seqrec quickstart}: the bundled dataset through the whole pipeline. */
@Command(name = "quickstart", mixinStandardHelpOptions = true, description = "Train and evaluate on the bundled Beauty subset (sampled and full protocols) and print the results.")
final class QuickstartCommand implements Callable<Integer> {
    /** The bundled dataset: see src/main/resources/org/seqrec/datasets/README.md. */
    static final String DATASET = "beauty-mini.txt";

    @Option(names = "--out", defaultValue = "runs/quickstart", paramLabel = "DIR", description = "Where to put the data and runs. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Override
    public Integer call() throws IOException {
        Path data = out.resolve(DATASET);
        extractBundled(DATASET, data);
        System.out.print(DatasetStats.of(FmlpReader.read(data)).toMarkdown());
        System.out.println();
        DataSource source = DataSource.fmlp(data);
        Path run = out.resolve("pop");
        Runs.train(new Runs.TrainRequest("pop", Map.of(), source, run, 42, Protocol.SAMPLED, null, 42, true, 256, true, false));
        JsonNode full = Runs.evaluate(run, Protocol.FULL, new Runs.NegativesChoice(null, 42), 256);
        System.out.println();
        System.out.print(Runs.markdown(org.seqrec.train.RunDir.existing(run)));
        System.out.printf("PopRec full-sort test HR@10 = %.4f; run directory: %s%n", full.path("test").path("HR@10").asDouble(), run);
        return 0;
    }

    static void extractBundled(String name, Path target) {
        try (InputStream in = QuickstartCommand.class.getResourceAsStream("/org/seqrec/datasets/" + name)) {
            if (in == null) {
                throw new SeqrecException("bundled dataset " + name + " is missing from the jar");
            }
            byte[] bytes = in.readAllBytes();
            if (!Files.isRegularFile(target) || !java.util.Arrays.equals(Files.readAllBytes(target), bytes)) {
                AtomicFiles.write(target, o -> o.write(bytes));
            }
        } catch (IOException e) {
            throw new SeqrecException("cannot extract bundled dataset to " + target + ": " + e.getMessage(), e);
        }
    }
}
