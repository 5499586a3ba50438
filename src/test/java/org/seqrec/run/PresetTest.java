package org.seqrec.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.seqrec.model.zoo.ModelRegistry;
import org.seqrec.util.SeqrecException;

/** {@code --preset}: a model's named settings under the user's explicit ones. */
class PresetTest {
    @Test
    void thePresetFillsInAndExplicitSettingsWin() {
        Map<String, Object> p = RunParams.withPreset("adamct", "Sports", Map.of("lr", 0.005));
        assertThat(p).containsEntry("hidden", 64).containsEntry("heads", 4).containsEntry("kernel", 3)
                .containsEntry("reduction", 5).containsEntry("act", "gelu").containsEntry("dropout", 0.76)
                .containsEntry("attn_dropout", 0.51).containsEntry("batch", 2048).containsEntry("lr", 0.005);
        assertThat(RunParams.withPreset("convformer", "toys", Map.of())).containsEntry("kernel", 30);
        assertThat(RunParams.withPreset("convformer", null, Map.of("kernel", 7))).isEqualTo(Map.of("kernel", 7));
    }

    @Test
    void everyPresetOnlyUsesSettingsItsModelKnows() {
        for (String name : ModelRegistry.names()) {
            var spec = ModelRegistry.get(name);
            spec.presets().forEach((preset, settings) -> org.seqrec.train.ParamCheck.check(name, spec, settings));
        }
    }

    @Test
    void unknownPresetsAreRejectedWithTheKnownOnes() {
        assertThatThrownBy(() -> RunParams.withPreset("adamct", "yelp", Map.of())).isInstanceOf(SeqrecException.class)
                .hasMessageContaining("beauty, toys, sports");
        assertThatThrownBy(() -> RunParams.withPreset("sasrec", "beauty", Map.of())).isInstanceOf(SeqrecException.class)
                .hasMessageContaining("has none");
    }
}
