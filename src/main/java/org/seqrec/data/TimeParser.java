package org.seqrec.data;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;
import java.util.Locale;
import org.seqrec.util.SeqrecException;

/**
 * Timestamps to epoch seconds, by the {@code --time-format} option:
 * <ul>
 *   <li>{@code auto} (default): a number (taken as is: seconds, or any monotone unit) or an ISO-8601
 *       date, date-time with or without offset ({@code 2024-03-01}, {@code 2024-03-01 10:00:00},
 *       {@code 2024-03-01T10:00:00+01:00}); UTC unless an offset is given</li>
 *   <li>{@code epoch}, {@code epoch-ms}, {@code epoch-us}: numbers in seconds, milliseconds, microseconds</li>
 *   <li>anything else: a {@link DateTimeFormatter} pattern, e.g. {@code dd/MM/yyyy HH:mm} (UTC unless the pattern has an offset)</li>
 * </ul>
 */
public final class TimeParser {
    private final String format;
    private final double scale;
    private final DateTimeFormatter pattern;

    public TimeParser(String format) {
        this.format = format == null || format.isBlank() ? "auto" : format;
        switch (this.format.toLowerCase(Locale.ROOT)) {
            case "auto", "epoch" -> {
                scale = 1;
                pattern = null;
            }
            case "epoch-ms" -> {
                scale = 1e-3;
                pattern = null;
            }
            case "epoch-us" -> {
                scale = 1e-6;
                pattern = null;
            }
            default -> {
                scale = 1;
                try {
                    pattern = DateTimeFormatter.ofPattern(this.format, Locale.ROOT);
                } catch (IllegalArgumentException e) {
                    throw new SeqrecException("--time-format '" + this.format + "' is neither auto, epoch, epoch-ms, epoch-us nor a "
                            + "java.time pattern such as 'dd/MM/yyyy HH:mm': " + e.getMessage());
                }
            }
        }
    }

    public String format() {
        return format;
    }

    /** Epoch seconds; a {@link RowErrors.BadRow} when {@code s} does not fit the format. */
    double parse(String s) {
        if (pattern != null) {
            try {
                TemporalAccessor t = pattern.parseBest(s, ZonedDateTime::from, OffsetDateTime::from, LocalDateTime::from, LocalDate::from);
                if (t instanceof ZonedDateTime z) {
                    return z.toEpochSecond();
                }
                if (t instanceof OffsetDateTime o) {
                    return o.toEpochSecond();
                }
                if (t instanceof LocalDateTime l) {
                    return l.toEpochSecond(ZoneOffset.UTC);
                }
                return ((LocalDate) t).atStartOfDay().toEpochSecond(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                throw new RowErrors.BadRow(RowErrors.TIME, "timestamp '" + s + "' does not match --time-format '" + format + "'");
            }
        }
        try {
            return Double.parseDouble(s) * scale;
        } catch (NumberFormatException ignored) {
            if (scale != 1 || format.equalsIgnoreCase("epoch")) {
                throw new RowErrors.BadRow(RowErrors.TIME, "timestamp '" + s + "' is not a number (--time-format " + format + ")");
            }
        }
        try {
            return OffsetDateTime.parse(s).toEpochSecond();
        } catch (DateTimeParseException ignored) {
            // no offset
        }
        try {
            return LocalDateTime.parse(s.replace(' ', 'T')).toEpochSecond(ZoneOffset.UTC);
        } catch (DateTimeParseException ignored) {
            // not a date-time
        }
        try {
            return LocalDate.parse(s).atStartOfDay().toEpochSecond(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new RowErrors.BadRow(RowErrors.TIME, "timestamp '" + s
                    + "' is neither a number nor an ISO-8601 date (use --time-format PATTERN, or --time-col none to keep file order)");
        }
    }
}
