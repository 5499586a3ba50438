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

    public static SeqrecException missingFile(Path file, String what) {
        return new SeqrecException(what + " not found: " + file);
    }
}
