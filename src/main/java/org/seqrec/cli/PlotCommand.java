package org.seqrec.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.seqrec.report.Charts;
import org.seqrec.run.RunDir;
import org.seqrec.train.TrainingHistory;
import org.seqrec.util.SeqrecException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code seqrec plot}: training curves of runs. */
@Command(name = "plot", mixinStandardHelpOptions = true,
        description = "Training curves of one or more runs (from history.jsonl): the training loss and a validation metric per"
                + " epoch, as PNG and SVG.")
final class PlotCommand implements Callable<Integer> {
    @Option(names = "--runs", required = true, split = ",", paramLabel = "DIR,...", description = "Run directories.")
    List<Path> runs;

    @Option(names = "--metric", paramLabel = "METRIC", defaultValue = "MRR", description = "Validation metric to plot. Default: ${DEFAULT-VALUE}.")
    String metric;

    @Option(names = "--out", required = true, paramLabel = "BASE", description = "Output path without extension: writes BASE-loss.png/svg and BASE-valid.png/svg.")
    Path out;

    @Override
    public Integer call() throws IOException {
        List<Charts.Series> loss = new ArrayList<>();
        List<Charts.Series> valid = new ArrayList<>();
        for (Path run : runs) {
            Path history = new RunDir(run).history();
            if (!Files.isRegularFile(history)) {
                throw new SeqrecException(run + " has no " + history.getFileName() + " (not a trained neural run?)");
            }
            List<Integer> epochs = new ArrayList<>();
            List<Double> l = new ArrayList<>();
            List<Double> v = new ArrayList<>();
            for (TrainingHistory.Line h : TrainingHistory.read(history)) {
                epochs.add(h.epoch());
                l.add(h.loss());
                if (!h.node().path("valid").has(metric)) {
                    throw new SeqrecException(history + " has no validation metric " + metric);
                }
                v.add(h.node().path("valid").path(metric).asDouble());
            }
            Path config = run.resolve("config.json");
            String protocol = Files.isRegularFile(config) ? org.seqrec.util.Json.read(config).path("protocol").asText("") : "";
            String name = run.getFileName().toString() + (protocol.isEmpty() ? "" : " (" + protocol + ")");
            loss.add(new Charts.Series(name, epochs, l));
            valid.add(new Charts.Series(name, epochs, v));
        }
        Charts.save(Charts.line("Training loss", "epoch", "loss", loss), Path.of(out + "-loss"));
        Charts.save(Charts.line("Validation " + metric, "epoch", metric, valid), Path.of(out + "-valid"));
        System.out.println("wrote " + out + "-loss.{png,svg} and " + out + "-valid.{png,svg}");
        return 0;
    }
}
