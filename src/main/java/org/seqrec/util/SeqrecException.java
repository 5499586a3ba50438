package org.seqrec.util;

import java.nio.file.Path;

/**
 * An error caused by the user's input (a bad file, a bad flag, a mismatched negatives file).
 * The CLI prints its message, without a stack trace, and exits with {@link #exitCode()}.
 */
public class SeqrecException extends RuntimeException {
    private final int exitCode;

    public SeqrecException(String message) {
        this(message, null, 2);
    }

    public SeqrecException(String message, Throwable cause) {
        this(message, cause, 2);
    }

    public SeqrecException(String message, Throwable cause, int exitCode) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }

    /** An error at one line of one file: the message starts with {@code file:line:}. */
    public static SeqrecException atLine(Path file, long line, String message) {
        return new SeqrecException(file + ":" + line + ": " + message);
    }

    /** The error for a {@code file} that is not a readable regular file: missing, a directory, or not readable. */
    public static SeqrecException missingFile(Path file, String what) {
        if (java.nio.file.Files.isDirectory(file)) {
            return new SeqrecException(what + " " + file + " is a directory, not a file");
        }
        if (java.nio.file.Files.exists(file) && !java.nio.file.Files.isRegularFile(file)) {
            return new SeqrecException(what + " " + file + " is not a regular file");
        }
        if (java.nio.file.Files.isRegularFile(file)) {
            return new SeqrecException(what + " " + file + " is not readable (permission denied)");
        }
        return new SeqrecException(what + " not found: " + file);
    }

    /** Throws {@link #missingFile} unless {@code file} is a regular file this process can read. */
    public static void requireReadable(Path file, String what) {
        if (!java.nio.file.Files.isRegularFile(file) || !java.nio.file.Files.isReadable(file)) {
            throw missingFile(file, what);
        }
    }
}
