package org.seqrec.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.seqrec.util.SeqrecException;

class LogFormatTest {
    @Test
    void presetsAsDocumented() {
        LogFormat ml = LogFormat.preset("movielens-csv");
        assertThat(ml.delimiter).isEqualTo(",");
        assertThat(ml.header).isTrue();
        assertThat(ml.userCol).isEqualTo("userId");
        assertThat(ml.itemCol).isEqualTo("movieId");
        assertThat(LogFormat.preset("MovieLens").delimiter).isEqualTo("::");
        assertThatThrownBy(() -> LogFormat.preset("xlsx")).isInstanceOf(SeqrecException.class)
                .hasMessageContaining("unknown log format 'xlsx'");
        assertThat(LogFormat.preset("parquet").userCol).isEqualTo("user_id"); // read through DuckDB since issue 17
    }

    @Test
    void delimiterNames() {
        LogFormat csv = LogFormat.preset("csv");
        assertThat(csv.withDelimiter("tab").delimiter).isEqualTo("\t");
        assertThat(csv.withDelimiter("\\t").delimiter).isEqualTo("\t");
        assertThat(csv.withDelimiter("space").delimiter).isEqualTo(" ");
        assertThat(csv.withDelimiter(";").delimiter).isEqualTo(";");
        assertThat(csv.withDelimiter(null)).isSameAs(csv);
    }

    @Test
    void headerSwitchKeepsIndexColumnsAndReplacesNames() {
        // amazon has index columns: switching the header on keeps them
        LogFormat amazon = LogFormat.preset("amazon").withHeader(true);
        assertThat(amazon.header).isTrue();
        assertThat(amazon.userCol).isEqualTo("0");
        assertThat(amazon.timeCol).isEqualTo("3");
        assertThat(amazon.ratingCol).isEqualTo("2");
        // named columns without a header become 0 1 2 and no rating
        LogFormat csv = LogFormat.preset("csv").withHeader(false);
        assertThat(csv.userCol).isEqualTo("0");
        assertThat(csv.ratingCol).isEqualTo(LogFormat.NONE);
        // an empty or missing user column is not an index either
        LogFormat empty = new LogFormat("x", ",", true, "", "1", "2", null).withHeader(false);
        assertThat(empty.userCol).isEqualTo("0");
        assertThat(empty.ratingCol).isEqualTo(LogFormat.NONE);
        LogFormat none = new LogFormat("x", ",", true, null, "1", "2", null).withHeader(false);
        assertThat(none.userCol).isEqualTo("0");
        LogFormat digits = new LogFormat("x", ",", true, "4", "5", "6", "7").withHeader(false);
        assertThat(digits.userCol).isEqualTo("4");
        assertThat(digits.ratingCol).isEqualTo("7");
    }

    @Test
    void toStringShowsTheDelimiterReadably() {
        assertThat(LogFormat.preset("tsv").toString()).isEqualTo(
                "tsv(delimiter=\\t, header=true, user=user_id, item=item_id, time=timestamp, rating=rating)");
        assertThat(LogFormat.preset("csv").toString()).startsWith("csv(delimiter=',', header=true");
    }
}
