package org.seqrec.util;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Binary files that carry their own checksum: the payload, then a 40-byte trailer of the magic
 * {@code SQRCSUM1} and the SHA-256 of the payload. Written atomically ({@link AtomicFiles}); read back
 * only when the checksum matches, so a truncated, bit-flipped or emptied file is refused with a
 * {@link SeqrecException} naming it instead of being decoded into wrong numbers or a stack trace.
 *
 * <p>Model weights ({@code weights.bin}) and optimizer state ({@code adam.bin}) are written this way.
 * The trailer sits after DJL's {@code NDList} encoding, which ignores trailing bytes, so older seqrec
 * versions still read these files; files written before the trailer existed ("legacy") are read
 * without a check (their integrity then rests on the run's manifest and the decoder's own checks).
 */
public final class SealedFiles {
    private SealedFiles() {}

    static final byte[] MAGIC = "SQRCSUM1".getBytes(StandardCharsets.US_ASCII);
    /** Bytes after the payload: the magic and a SHA-256. */
    public static final int TRAILER = MAGIC.length + 32;

    /** What {@link #read} found. */
    public record Content(byte[] payload, boolean sealed) {}

    /** Writes {@code payload} and its checksum trailer to {@code file}, atomically. */
    public static void write(Path file, byte[] payload) {
        byte[] sum = Hashing.sha256().digest(payload);
        AtomicFiles.write(file, out -> {
            out.write(payload);
            out.write(MAGIC);
            out.write(sum);
        });
    }

    /**
     * The payload of {@code file}, its checksum verified when it has a trailer.
     *
     * @param what what the file is, for error messages ("model weights")
     * @throws SeqrecException when the file is missing, unreadable, empty, truncated or its checksum differs
     */
    public static Content read(Path file, String what) {
        if (Files.isDirectory(file)) {
            throw new SeqrecException(what + " " + file + " is a directory, not a file");
        }
        if (!Files.isRegularFile(file)) {
            throw SeqrecException.missingFile(file, what);
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new SeqrecException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
        }
        if (bytes.length == 0) {
            throw new SeqrecException(what + " " + file + " is empty (damaged run: retrain, or restore the file)");
        }
        int magicAt = bytes.length - TRAILER;
        if (magicAt >= 0 && Arrays.equals(bytes, magicAt, magicAt + MAGIC.length, MAGIC, 0, MAGIC.length)) {
            MessageDigest d = Hashing.sha256();
            d.update(bytes, 0, magicAt);
            byte[] sum = d.digest();
            if (!Arrays.equals(sum, 0, 32, bytes, magicAt + MAGIC.length, bytes.length)) {
                throw damaged(file, what, "its checksum does not match its content");
            }
            return new Content(Arrays.copyOf(bytes, magicAt), true);
        }
        if (containsMagicNearEnd(bytes)) { // a trailer cut short: the file was truncated
            throw damaged(file, what, "it is truncated");
        }
        return new Content(bytes, false);
    }

    /** The error for a file that exists but cannot be trusted. */
    public static SeqrecException damaged(Path file, String what, String why) {
        return new SeqrecException(what + " " + file + " is damaged: " + why
                + " (the file was truncated or modified after it was written; retrain, or restore it from a copy)");
    }

    private static boolean containsMagicNearEnd(byte[] bytes) {
        for (int i = Math.max(0, bytes.length - TRAILER - MAGIC.length); i + MAGIC.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + MAGIC.length, MAGIC, 0, MAGIC.length)) {
                return true;
            }
        }
        return false;
    }
}
