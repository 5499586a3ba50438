package org.seqrec.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.seqrec.interop.Interop;
import org.seqrec.util.SeqrecException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code seqrec export}. */
@Command(name = "export", mixinStandardHelpOptions = true, description = {
        "Write a run's weights as safetensors, with the model, params and item ids in its metadata and in a JSON config beside it"
                + " (FILE.json), for Python (safetensors.torch.load_file) or for seqrec import --from seqrec.",
        "Example: seqrec export --run runs/convformer-beauty --convention convformer-authors --out convformer.safetensors"})
final class ExportCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, paramLabel = "DIR", description = "The run directory.")
    Path run;

    @Option(names = "--format", defaultValue = "safetensors", paramLabel = "FORMAT", description = "safetensors (the only one).")
    String format;

    @Option(names = "--convention", defaultValue = "seqrec", paramLabel = "NAMES",
            description = "Tensor names and shapes: seqrec, convformer-authors (their OurRecommender's state dict: convformer and"
                    + " convformer-f) or recbole (RecBole's GRU4Rec and SASRec: gru4rec without GRU biases, sasrec with block post-ln)."
                    + " Default: ${DEFAULT-VALUE}.")
    String convention;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The .safetensors file to write.")
    Path out;

    @Override
    public Integer call() {
        if (!format.equals("safetensors")) {
            throw new SeqrecException("--format must be safetensors, got '" + format + "'");
        }
        Path cfg = Interop.export(run, convention, out);
        System.out.println("wrote " + out + " and " + cfg);
        return 0;
    }
}
