package org.seqrec.run;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrec.data.DataSource;
import org.seqrec.util.Json;
import org.seqrec.util.SeqrecException;

/** Which differences between a run's config and a resuming command are allowed. */
class ResumeCheckTest {
    @TempDir Path dir;

    private RunConfig config(Object... kv) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("lr", 0.001);
        params.put("hidden", 64);
        for (int i = 0; i < kv.length; i += 2) {
            params.put((String) kv[i], kv[i + 1]);
        }
        return new RunConfig("sar", params, DataSource.fmlp(dir.resolve("Beauty.txt")), 42, "sampled", "then", null);
    }

    private RunDir runWith(RunConfig had) {
        Json.write(dir.resolve("config.json"), had);
        return RunDir.existing(dir);
    }

    @Test
    void lengthGroupParamsMayDifferButHyperParametersMayNot() {
        RunDir run = runWith(config());
        // a run started before length groups existed resumes with them on, or off, or tuned
        assertThatCode(() -> RunParams.checkSameRun(run, config("length_groups", true, "group_overhead", 256))).doesNotThrowAnyException();
        assertThatCode(() -> RunParams.checkSameRun(run, config("length_groups", false))).doesNotThrowAnyException();
        assertThatThrownBy(() -> RunParams.checkSameRun(run, config("lr", 0.01))).isInstanceOf(SeqrecException.class)
                .hasMessageContaining("differs");
        assertThatThrownBy(() -> RunParams.checkSameRun(run, config("window", 3))).isInstanceOf(SeqrecException.class);
    }

    @Test
    void aNumberIsTheSameWhateverJavaTypeCarriesIt() {
        // train --param max_batches=3 parses a Long; config.json reads it back as an Integer
        RunDir run = runWith(config("max_batches", 3));
        assertThatCode(() -> RunParams.checkSameRun(run, config("max_batches", 3L))).doesNotThrowAnyException();
        assertThatThrownBy(() -> RunParams.checkSameRun(run, config("max_batches", 4L))).isInstanceOf(SeqrecException.class);
    }

    @Test
    void aRegimeMayBeNamedToFinishARunThatTrainedInItsModelsDefault() {
        // the trainer then checks the named regime against the one the checkpoint's history trained in
        RunDir plain = runWith(config());
        assertThatCode(() -> RunParams.checkSameRun(plain, config("regime", "prefix-CE"))).doesNotThrowAnyException();
        RunDir named = runWith(config("regime", "prefix-CE"));
        assertThatCode(() -> RunParams.checkSameRun(named, config("regime", "prefix-CE"))).doesNotThrowAnyException();
        assertThatThrownBy(() -> RunParams.checkSameRun(named, config("regime", "prefix"))).isInstanceOf(SeqrecException.class);
        assertThatThrownBy(() -> RunParams.checkSameRun(named, config())).isInstanceOf(SeqrecException.class);
    }
}
