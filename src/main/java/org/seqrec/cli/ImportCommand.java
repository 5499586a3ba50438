package org.seqrec.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.seqrec.eval.Protocol;
import org.seqrec.interop.Interop;
import org.seqrec.run.RunDir;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code seqrec import}. */
@Command(name = "import", mixinStandardHelpOptions = true, description = {
        "Import a checkpoint trained elsewhere into a run directory (config, item map, weights, import.json naming the source file"
                + " and its SHA-256), exactly or not at all: unknown, missing or mis-shaped tensors are refused by name. Then evaluate,"
                + " recommend or serve the run as any other.",
        "Sources: convformer-authors (the ConvFormer authors' CONV with --padding, or FCONV; a torch.save state dict),"
                + " recbole (RecBole's GRU4Rec and SASRec checkpoints; BERT4Rec, Caser, AdaMCT and RecGRELA are refused with the"
                + " reason), seqrec (a safetensors file of seqrec export).",
        "Example: seqrec import --from convformer-authors --padding circular --checkpoint model.pt --data Beauty.txt --out runs/authors"})
final class ImportCommand implements Callable<Integer> {
    @Option(names = "--from", required = true, paramLabel = "SOURCE", description = "convformer-authors, recbole or seqrec.")
    String source;

    @Option(names = "--checkpoint", required = true, paramLabel = "FILE",
            description = "The checkpoint: a PyTorch file (torch.save, zip format) or a .safetensors file.")
    Path checkpoint;

    @Mixin DataOptions data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run directory to create.")
    Path out;

    @Option(names = "--overwrite", description = "Replace an existing run directory.")
    boolean overwrite;

    @Option(names = "--padding", paramLabel = "MODE",
            description = "convformer-authors CONV: circular, reflect or zero (their --padding_mode 0, 1, 2; the file does not record it).")
    String padding;

    @Option(names = "--item-map", paramLabel = "FILE", description = "TSV of (the data's item id, the checkpoint's item index), where the"
            + " checkpoint's code numbered items otherwise than the data's ids (default: a seqrec export's item ids, else the data's ids"
            + " read as indices).")
    Path itemMap;

    @Option(names = "--protocol", paramLabel = "PROTOCOL", defaultValue = "full",
            description = "The run's protocol, what evaluate uses by default: sampled, uni100 or full. Default: ${DEFAULT-VALUE}.")
    String protocol;

    @Option(names = "--keep-histories", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Keep every user's history in the run (recommend --user, serve by user id). Default: true.")
    boolean keepHistories;

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "Another model param (not one the checkpoint determines).")
    Map<String, String> params = new LinkedHashMap<>();

    @Override
    public Integer call() {
        Map<String, String> options = new LinkedHashMap<>();
        if (padding != null) {
            options.put("padding", padding);
        }
        Map<String, Object> p = new LinkedHashMap<>();
        params.forEach((k, v) -> p.put(k, TrainCommand.parse(v)));
        RunDir run = Interop.importRun(new Interop.Request(source, checkpoint, data.source(), out, overwrite, options, itemMap, p,
                Protocol.parse(protocol), keepHistories));
        System.out.println("imported into " + run.dir() + " (provenance: " + run.provenance() + "); evaluate it with: seqrec evaluate --run "
                + run.dir());
        return 0;
    }
}
