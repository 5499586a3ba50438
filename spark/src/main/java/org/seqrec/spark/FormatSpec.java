package org.seqrec.spark;

import java.io.Serializable;
import org.seqrec.data.LogFormat;

/** A {@link LogFormat} as it travels to the executors (the core's class is not serializable). */
record FormatSpec(String preset, String delimiter, boolean header, String userCol, String itemCol, String timeCol,
        String ratingCol, String timeFormat) implements Serializable {
    static FormatSpec of(LogFormat f) {
        return new FormatSpec(f.preset, f.delimiter, f.header, f.userCol, f.itemCol, f.timeCol, f.ratingCol, f.timeFormat);
    }

    LogFormat format() {
        return new LogFormat(preset, delimiter, header, userCol, itemCol, timeCol, ratingCol, timeFormat);
    }

    /** No time column: rows keep file order, and the row's position stands in for its timestamp. */
    boolean fileOrder() {
        return timeCol == null || timeCol.equals(LogFormat.NONE);
    }
}
