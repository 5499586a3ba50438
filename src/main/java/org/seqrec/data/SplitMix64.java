package org.seqrec.data;

import org.seqrec.util.Hashing;

/**
 * A tiny, fully specified pseudo-random generator (SplitMix64, Steele et al. 2014). Used wherever
 * the project promises that the same seed gives the same output on any machine and JDK.
 */
public final class SplitMix64 {
    private long state;

    public SplitMix64(long seed) {
        this.state = seed;
    }

    /** A generator for stream {@code stream} of seed {@code seed} (e.g. one per user). */
    public static SplitMix64 forStream(long seed, long stream) {
        return new SplitMix64(Hashing.mix64(seed) ^ Hashing.mix64(stream * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L));
    }

    public long nextLong() {
        state += 0x9E3779B97F4A7C15L;
        return Hashing.mix64(state);
    }

    /** Uniform in [0, 1), 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in {@code [0, bound)}, {@code bound} at most 2^31 - 1 (multiply-shift, bias below 2^-31 per draw). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        return (int) (((nextLong() >>> 32) * bound) >>> 32);
    }
}
