package org.seqrec.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Diagonal linear recurrences along time, {@code h_t = λ ⊙ h_{t-1} + b_t} with {@code h_{-1} = 0}, computed
 * by doubling with the engine's ops instead of a loop over time steps: after the step of offset k every
 * state holds the sum over its window of 2k inputs, {@code h_t = Σ_{t-2k < s ≤ t} λ^{t-s} b_s}, so
 * {@code ceil(log2 L)} steps of shifted multiply-adds (O(L log L) work, depth log L) give the whole
 * recurrence. A model with left padding zeroes {@code b} at padded positions and the states of its real
 * positions are those of the recurrence started at its first real position. Complex λ travel as
 * (real, imaginary) pairs.
 */
public final class LinearScan {
    private LinearScan() {}

    /** Up to this length a time-invariant recurrence runs as a matrix product ({@link #complexMatrix}); above it by doubling. */
    public static final int MATRIX_MAX_LEN = 128;

    /**
     * The states for a time-invariant complex λ: {@link #complexMatrix} up to {@link #MATRIX_MAX_LEN} steps (a
     * channel-batched product of {@code [2L, 2L]} matrices, O(L²) work in a few large operations), {@link #complexDoubling}
     * above (O(L log L) work in ~12 small operations per doubling step).
     *
     * @param lamRe real part of λ, {@code [N]} (broadcast over batch and time)
     * @param bRe real part of the inputs, {@code [B, L, N]}
     * @return {@code {Re h, Im h}}, each {@code [B, L, N]}
     */
    public static NDArray[] complex(NDArray lamRe, NDArray lamIm, NDArray bRe, NDArray bIm) {
        return bRe.getShape().get(1) <= MATRIX_MAX_LEN ? complexMatrix(lamRe, lamIm, bRe, bIm) : complexDoubling(lamRe, lamIm, bRe, bIm);
    }

    /**
     * A time-invariant recurrence is a causal convolution with the powers of λ, {@code h_t = Σ_{s ≤ t} λ^{t-s} b_s}: per
     * state channel one lower-triangular Toeplitz matrix {@code G[s, t] = λ^{t-s}}. In real arithmetic, with the inputs
     * as rows {@code [Re b | Im b]} of length 2L, {@code [Re h | Im h] = [Re b | Im b] · [[Re G, Im G], [-Im G, Re G]]}: one
     * product batched over the N channels. The powers {@code λ^0 .. λ^(L-1)} are built by doubling from λ (autograd
     * reaches λ through them), the matrices by one gather of those powers.
     */
    public static NDArray[] complexMatrix(NDArray lamRe, NDArray lamIm, NDArray bRe, NDArray bIm) {
        Shape s = bRe.getShape();
        int len = (int) s.get(1);
        long n = s.get(2);
        NDManager m = bRe.getManager();
        NDArray pr = lamRe.onesLike().expandDims(0); // λ^0, [1, N]
        NDArray pi = lamIm.zerosLike().expandDims(0);
        NDArray kr = lamRe; // λ^have
        NDArray ki = lamIm;
        int have = 1;
        while (have < len) {
            NDArray nr = pr.mul(kr).sub(pi.mul(ki)); // λ^(have .. 2·have-1)
            NDArray ni = pr.mul(ki).add(pi.mul(kr));
            pr = NDArrays.concat(new NDList(pr, nr), 0);
            pi = NDArrays.concat(new NDList(pi, ni), 0);
            have *= 2;
            if (have < len) {
                NDArray[] q = square(kr, ki);
                kr = q[0];
                ki = q[1];
            }
        }
        NDArray zero = m.zeros(new Shape(1, n), bRe.getDataType());
        // rows 0..L-1: λ^0..λ^(L-1); row L: 0, read above the diagonal (t < s)
        NDArray powRe = NDArrays.concat(new NDList(pr.get(new NDIndex(":{}", len)), zero), 0);
        NDArray powIm = NDArrays.concat(new NDList(pi.get(new NDIndex(":{}", len)), zero), 0);
        NDArray where = m.create(toeplitzIndex(len), new Shape(len, len)); // cached per length
        NDArray gr = Nn.channelsFirst(Nn.embedding(where, powRe)); // [N, L(s), L(t)]
        NDArray gi = Nn.channelsFirst(Nn.embedding(where, powIm));
        NDArray top = NDArrays.concat(new NDList(gr, gi), 2);
        NDArray bottom = NDArrays.concat(new NDList(gi.neg(), gr), 2);
        NDArray mat = NDArrays.concat(new NDList(top, bottom), 1); // [N, 2L, 2L]
        NDArray rows = Nn.channelsFirst(NDArrays.concat(new NDList(bRe, bIm), 1)); // [N, B, 2L]
        NDArray h = Nn.channelsLast(rows.batchMatMul(mat)); // [B, 2L, N]
        return new NDArray[] {h.get(new NDIndex(":, :{}", len)), h.get(new NDIndex(":, {}:", len))};
    }

    /**
     * The same recurrence by doubling: after the step of offset k every state holds the sum over its window of 2k
     * inputs, so {@code ceil(log2 L)} steps of shifted complex multiply-adds give the whole recurrence.
     */
    public static NDArray[] complexDoubling(NDArray lamRe, NDArray lamIm, NDArray bRe, NDArray bIm) {
        long len = bRe.getShape().get(1);
        NDArray pr = lamRe;
        NDArray pi = lamIm;
        NDArray hr = bRe;
        NDArray hi = bIm;
        for (long k = 1; k < len; k *= 2) {
            NDArray sr = shift(hr, k);
            NDArray si = shift(hi, k);
            NDArray nr = hr.add(pr.mul(sr).sub(pi.mul(si)));
            NDArray ni = hi.add(pr.mul(si).add(pi.mul(sr)));
            hr = nr;
            hi = ni;
            if (2 * k < len) { // λ^(2k) = (λ^k)^2
                NDArray[] q = square(pr, pi);
                pr = q[0];
                pi = q[1];
            }
        }
        return new NDArray[] {hr, hi};
    }

    /** The complex square {@code (re + i·im)²}: {@code [re² - im², 2·re·im]}. */
    private static NDArray[] square(NDArray re, NDArray im) {
        return new NDArray[] {re.mul(re).sub(im.mul(im)), Nn.scale(re.mul(im), 2f)};
    }

    /** The Toeplitz gather index of {@link #complexMatrix} per length: {@code [a, t] -> t - a} on and above the diagonal, else L. */
    private static final java.util.concurrent.ConcurrentHashMap<Integer, long[]> TOEPLITZ_INDEX = new java.util.concurrent.ConcurrentHashMap<>();

    private static long[] toeplitzIndex(int len) {
        return TOEPLITZ_INDEX.computeIfAbsent(len, l -> {
            long[] idx = new long[l * l];
            for (int a = 0; a < l; a++) {
                for (int t = 0; t < l; t++) {
                    idx[a * l + t] = t >= a ? t - a : l;
                }
            }
            return idx;
        });
    }

    /**
     * The states for a real, time-varying decay: {@code h_t = a_t ⊙ h_{t-1} + b_t} (Hillis-Steele: at the step
     * of offset k, {@code b_t += a_t ⊙ b_{t-k}}, then {@code a_t *= a_{t-k}}, so each pair composes the maps of
     * its window).
     *
     * @param a the decays {@code [B, L, ...]}, time on axis 1
     * @param b the inputs, the shape of {@code a}
     * @return h, the shape of {@code b}
     */
    public static NDArray real(NDArray a, NDArray b) {
        long len = b.getShape().get(1);
        NDArray acc = a;
        NDArray h = b;
        for (long k = 1; k < len; k *= 2) {
            h = h.add(acc.mul(shift(h, k, 0f)));
            if (2 * k < len) {
                acc = acc.mul(shift(acc, k, 1f));
            }
        }
        return h;
    }

    /** {@code h} moved k steps later in time, zeros entering at the start: {@code out_t = h_{t-k}}. */
    static NDArray shift(NDArray h, long k) {
        return shift(h, k, 0f);
    }

    /** {@code h} moved k steps later along axis 1, {@code fill} entering at the start. */
    static NDArray shift(NDArray h, long k, float fill) {
        Shape s = h.getShape();
        long[] dims = s.getShape().clone();
        dims[1] = k;
        NDArray head = h.getManager().full(new Shape(dims), fill, h.getDataType());
        return NDArrays.concat(new NDList(head, h.get(new NDIndex(":, :{}", s.get(1) - k))), 1);
    }
}
