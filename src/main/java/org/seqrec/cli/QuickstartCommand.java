package org.seqrec.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.seqrec.data.DataSource;
import org.seqrec.data.DatasetStats;
import org.seqrec.data.FmlpReader;
import org.seqrec.eval.Protocol;
import org.seqrec.report.Report;
import org.seqrec.report.ReportSpec;
import org.seqrec.report.RunRecord;
import org.seqrec.report.RunTables;
import org.seqrec.run.NegativesChoice;
import org.seqrec.run.Runs;
import org.seqrec.run.TrainRequest;
import org.seqrec.util.AtomicFiles;
import org.seqrec.util.SeqrecException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code seqrec quickstart}: the bundled dataset through the whole pipeline, ConvFormer beside PopRec. */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = "Train ConvFormer and PopRec on the bundled Beauty subset and print their metrics side by side "
                + "(sampled and full protocols). About 2 minutes on 2 cores.")
final class QuickstartCommand implements Callable<Integer> {
    /** The bundled dataset: see src/main/resources/org/seqrec/datasets/README.md. */
    static final String DATASET = "beauty-mini.txt";

    @Option(names = "--out", defaultValue = "runs/quickstart", paramLabel = "DIR", description = "Where to put the data and runs. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "8", description = "ConvFormer training epochs (Table C3 settings otherwise). Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Override
    public Integer call() throws IOException {
        Path data = out.resolve(DATASET);
        extractBundled(DATASET, data);
        System.out.print(DatasetStats.of(FmlpReader.read(data)).toMarkdown());
        System.out.println();
        DataSource source = DataSource.fmlp(data);
        Path pop = out.resolve("pop");
        Path conv = out.resolve("convformer");
        Runs.train(TrainRequest.builder("pop", source, pop).protocol(Protocol.SAMPLED).overwrite(true).build());
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("kernel", 45);
        params.put("epochs", epochs);
        params.put("patience", epochs);
        Runs.train(TrainRequest.builder("convformer", source, conv).params(params).protocol(Protocol.SAMPLED).overwrite(true)
                .build());
        for (Path run : List.of(pop, conv)) {
            Runs.evaluate(run, Protocol.FULL, new NegativesChoice(null, null), 256);
        }
        System.out.println();
        for (Protocol p : List.of(Protocol.SAMPLED, Protocol.FULL)) {
            System.out.println(RunTables.markdown(Report.compute(List.of(RunRecord.read(pop, p), RunRecord.read(conv, p)),
                    ReportSpec.runs(null, null, null))));
        }
        System.out.println("runs saved in " + out + "; try: bin/seqrec recommend --run " + conv + " --history 1,2,3 --k 10");
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
