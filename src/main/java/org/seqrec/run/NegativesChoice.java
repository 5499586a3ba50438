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
 * Where a sampled protocol's negatives come from: a file, a seed they are derived from per user on demand
 * ({@link Negatives#derived}; no file of 99 ints per user is read or written, {@code seqrec data sample} exports the
 * same lists), or (neither given) the run's own, else {@link #DEFAULT_SEED}.
 *
 * <p>A run records its choice in {@code negatives-P.json} ({@link RunDir#negativesRecord}): the seed, or the file it
 * holds as {@code negatives-P.txt}, with the SHA-256 of the lists either way; the record, not the presence of a file,
 * decides what a later evaluation uses (a run made before records existed has only the file). A new choice is
 * written into the run by {@link Resolved#commit} once the evaluation it served has succeeded.
 */
public record NegativesChoice(Path file, Long seed) {
    private static final Logger LOG = LoggerFactory.getLogger(NegativesChoice.class);
    /** The seed when neither a file nor a seed is given and the run has no negatives of its own. */
    public static final long DEFAULT_SEED = 42;

    /** Negatives and the record that describes them; {@link #commit} makes them the run's own. */
    public record Resolved(Negatives negatives, ObjectNode record, Path copyFrom) {
        /** Writes the choice into the run: the file copied in (when it came from elsewhere) and the record. */
        public void commit(RunDir run, Protocol p) {
            if (copyFrom != null && !copyFrom.toAbsolutePath().equals(run.negatives(p).toAbsolutePath())) {
                AtomicFiles.write(run.negatives(p), out -> Files.copy(copyFrom, out));
            }
            Json.write(run.negativesRecord(p), record);
        }
    }

    /** Whether a file or a seed was given (rather than leaving the choice to the run). */
    public boolean explicit() {
        return file != null || seed != null;
    }

    /**
     * The negatives of {@code run} for protocol {@code p} (null for full ranking): the file given (validated), else
     * those derived from the seed given, else the run's own ({@link #own}), else derived from {@link #DEFAULT_SEED}.
     * Nothing in the run changes until {@link Resolved#commit}.
     */
    public Resolved resolve(RunDir run, LeaveOneOut split, Protocol p) {
        if (!p.sampled()) {
            return null;
        }
        if (file != null) {
            Negatives n = Negatives.read(file, split, p.negatives());
            return new Resolved(n, fileRecord(run, p, n, Hashing.sha256(file)), file);
        }
        if (seed == null) {
            Resolved own = own(run, split, p);
            if (own != null) {
                return own;
            }
        }
        long s = seed != null ? seed : DEFAULT_SEED;
        LOG.info("{} negatives per user derived from seed {} (export: seqrec data sample --seed {})", p.negatives(), s, s);
        Negatives n = Negatives.derived(split.data(), p.negatives(), s);
        ObjectNode record = Json.object();
        record.put("per_user", n.count());
        record.put("seed", s);
        record.put("derived", "user u's items from SplitMix64 stream (seed, u), unseen and distinct (Negatives.derived)");
        record.put("sha256", n.sha256(split.data()));
        return new Resolved(n, record, null);
    }

    /**
     * The negatives {@code run} already has for {@code p}, checked against its record, or null when it has none: the
     * record's seed (re-derived; their SHA-256 must match) or file (its SHA-256 must match), or, without a record (runs
     * made before records existed), the file alone.
     */
    public static Resolved own(RunDir run, LeaveOneOut split, Protocol p) {
        Path recordFile = run.negativesRecord(p);
        Path txt = run.negatives(p);
        if (!Files.isRegularFile(recordFile)) {
            if (!Files.isRegularFile(txt)) {
                return null;
            }
            Negatives n = Negatives.read(txt, split, p.negatives());
            return new Resolved(n, fileRecord(run, p, n, Hashing.sha256(txt)), null);
        }
        JsonNode record = Json.read(recordFile);
        if (record.path("per_user").asInt() != p.negatives() || !record.path("sha256").isTextual()
                || !(record.path("seed").canConvertToLong() || record.path("file").isTextual())) {
            throw new SeqrecException(recordFile + " is not a record of " + p.negatives() + " negatives per user");
        }
        String sha = record.path("sha256").asText();
        if (record.has("seed")) {
            Negatives n = Negatives.derived(split.data(), p.negatives(), record.get("seed").asLong());
            if (!n.sha256(split.data()).equals(sha)) {
                throw new SeqrecException(recordFile + ": the negatives derived from seed " + n.seed() + " differ from those"
                        + " the run recorded (SHA-256 of their export); was the data or seqrec's generator changed?");
            }
            return new Resolved(n, (ObjectNode) record, null);
        }
        if (!Files.isRegularFile(txt) || !Hashing.sha256(txt).equals(sha)) {
            throw new SeqrecException(recordFile + " names " + txt.getFileName() + ", which is "
                    + (Files.isRegularFile(txt) ? "not the file it recorded (SHA-256 differs)" : "missing"));
        }
        return new Resolved(Negatives.read(txt, split, p.negatives()), (ObjectNode) record, null);
    }

    private static ObjectNode fileRecord(RunDir run, Protocol p, Negatives n, String sha) {
        ObjectNode record = Json.object();
        record.put("per_user", n.count());
        record.put("file", run.negatives(p).getFileName().toString());
        record.put("sha256", sha);
        return record;
    }
}
