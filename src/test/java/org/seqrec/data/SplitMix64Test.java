package org.seqrec.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SplitMix64Test {
    @Test
    void nextDoubleIsTheTop53BitsOfTheReferenceOutput() {
        // splitmix64.c, seed 0, first output 0xE220A8397B1DCDAF; its top 53 bits / 2^53 (computed in Python)
        assertThat(new SplitMix64(0).nextDouble()).isEqualTo(0.8833108082136426);
        SplitMix64 r = new SplitMix64(5);
        for (int i = 0; i < 1000; i++) {
            assertThat(r.nextDouble()).isGreaterThanOrEqualTo(0.0).isLessThan(1.0);
        }
    }

    @Test
    void nextIntNeedsAPositiveBound() {
        assertThatThrownBy(() -> new SplitMix64(1).nextInt(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SplitMix64(1).nextInt(-3)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new SplitMix64(1).nextInt(1)).isZero();
    }
}
