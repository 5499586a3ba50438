package org.seqrec.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
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

    /**
     * The states for a time-invariant complex λ.
     *
     * @param lamRe real part of λ, {@code [N]} (broadcast over batch and time)
     * @param bRe real part of the inputs, {@code [B, L, N]}
     * @return {@code {Re h, Im h}}, each {@code [B, L, N]}
     */
    public static NDArray[] complex(NDArray lamRe, NDArray lamIm, NDArray bRe, NDArray bIm) {
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
                NDArray qr = pr.mul(pr).sub(pi.mul(pi));
                NDArray qi = Nn.scale(pr.mul(pi), 2f);
                pr = qr;
                pi = qi;
            }
        }
        return new NDArray[] {hr, hi};
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
