package org.seqrec.data;

/**
 * Where a log reader puts the rows it accepts, in file order, after the checks every reader shares
 * ({@link LogReader#read(java.nio.file.Path, LogFormat, RowErrors, LogSink)}). {@link InteractionLog}
 * keeps them in memory for {@link SequenceBuilder}; the Spark module streams them into a table.
 */
public interface LogSink {
    /**
     * One accepted row.
     *
     * @param time epoch seconds, or the row's ordinal ({@link #size()} before it) when the log has no time column
     * @param rating the rating, NaN when there is none
     */
    void add(String user, String item, double time, float rating);

    /** Rows accepted so far. */
    long size();
}
