package org.seqrec.run;

import java.nio.file.Files;
import java.nio.file.Path;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.data.Negatives;
import org.seqrec.eval.Protocol;
import org.seqrec.util.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Where a sampled protocol's negatives come from: a file, or (none given) the run's own, else drawn with {@code seed}. */
public record NegativesChoice(Path file, long seed) {
    private static final Logger LOG = LoggerFactory.getLogger(NegativesChoice.class);

    /**
     * The negatives of {@code run} for protocol {@code p} (null for full ranking): the file given (validated, then
     * copied into the run), else the run's own file, else freshly drawn with the seed and saved in the run.
     */
    public Negatives resolve(RunDir run, LeaveOneOut split, Protocol p) {
        if (!p.sampled()) {
            return null;
        }
        Path target = run.negatives(p);
        if (file != null) {
            Negatives n = Negatives.read(file, split, p.negatives());
            if (!file.toAbsolutePath().equals(target.toAbsolutePath())) {
                AtomicFiles.write(target, out -> Files.copy(file, out));
            }
            return n;
        }
        if (Files.isRegularFile(target)) {
            return Negatives.read(target, split, p.negatives());
        }
        LOG.info("drawing {} negatives per user with seed {} -> {}", p.negatives(), seed, target);
        Negatives n = Negatives.sample(split.data(), p.negatives(), seed);
        n.write(target, split.data());
        return n;
    }
}
