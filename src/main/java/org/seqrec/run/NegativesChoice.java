package org.seqrec.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.seqrec.data.LeaveOneOut;
import org.seqrec.data.Negatives;
import org.seqrec.eval.Protocol;
import org.seqrec.util.AtomicFiles;
import org.seqrec.util.Hashing;
import org.seqrec.util.Json;
import org.seqrec.util.SeqrecException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a sampled protocol's negatives come from: a file, or (none given) the run's own, else derived from {@code seed}
 * per user on demand ({@link Negatives#derived}; no file of 99 ints per user is read or written, {@code seqrec data sample}
 * exports the same lists).
 */
public record NegativesChoice(Path file, Long seed) {
    private static final Logger LOG = LoggerFactory.getLogger(NegativesChoice.class);
    /** The seed when neither a file nor a seed is given and the run has no negatives of its own. */
    public static final long DEFAULT_SEED = 42;

    /**
     * The negatives of {@code run} for protocol {@code p} (null for full ranking): the file given (validated, then
     * copied into the run), else those derived from the seed given (replacing the run's own), else the run's own file,
     * else the run's derivation record ({@code negatives-P.json}: its seed), else derived from {@link #DEFAULT_SEED}.
     * Derived negatives leave their record in the run, so a later evaluation without options uses the same lists.
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
        Path recordFile = run.negativesRecord(p);
        if (seed != null) {
            return derive(run, split, p, seed);
        }
        if (Files.isRegularFile(target)) {
            return Negatives.read(target, split, p.negatives());
        }
        if (Files.isRegularFile(recordFile)) {
            JsonNode record = Json.read(recordFile);
            if (!record.path("seed").canConvertToLong() || record.path("per_user").asInt() != p.negatives()) {
                throw new SeqrecException(recordFile + " is not a record of " + p.negatives() + " derived negatives per user");
            }
            Negatives n = Negatives.derived(split.data(), p.negatives(), record.get("seed").asLong());
            if (!n.sha256(split.data()).equals(record.path("sha256").asText())) {
                throw new SeqrecException(recordFile + ": the negatives derived from seed " + n.seed() + " differ from those"
                        + " the run recorded (SHA-256 of their export); was the data or seqrec's generator changed?");
            }
            return n;
        }
        return derive(run, split, p, DEFAULT_SEED);
    }

    private static Negatives derive(RunDir run, LeaveOneOut split, Protocol p, long seed) {
        LOG.info("{} negatives per user derived from seed {} (export: seqrec data sample --seed {})", p.negatives(), seed, seed);
        Negatives n = Negatives.derived(split.data(), p.negatives(), seed);
        Json.write(run.negativesRecord(p), record(n, split));
        try {
            Files.deleteIfExists(run.negatives(p)); // a file the run held before: replaced by the seed's lists
        } catch (java.io.IOException e) {
            throw new SeqrecException("cannot remove " + run.negatives(p) + ": " + e.getMessage(), e);
        }
        return n;
    }

    /** What a results file says of the negatives: their file or seed, and the SHA-256 of their export. */
    public static ObjectNode describe(RunDir run, LeaveOneOut split, Protocol p, Negatives n) {
        ObjectNode out = record(n, split);
        if (!n.isDerived()) {
            out.remove("seed");
            out.put("file", run.negatives(p).getFileName().toString());
            out.put("sha256", Hashing.sha256(run.negatives(p)));
        }
        return out;
    }

    private static ObjectNode record(Negatives n, LeaveOneOut split) {
        ObjectNode out = Json.object();
        out.put("per_user", n.count());
        if (n.isDerived()) {
            out.put("seed", n.seed());
            out.put("derived", "user u's items from SplitMix64 stream (seed, u), unseen and distinct (Negatives.derived)");
            out.put("sha256", n.sha256(split.data()));
        }
        return out;
    }
}
