package org.seqrec.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import java.util.Locale;
import org.seqrec.util.SeqrecException;

/** The activation functions a model's settings can name (AdaMCT's local branch, RecGRELA's gate and MLP). */
public enum Act {
    GELU, RELU, SWISH, TANH, SIGMOID;

    /** By name, case-insensitive; {@code silu} is Swish. */
    public static Act parse(String s) {
        String name = s.toUpperCase(Locale.ROOT);
        try {
            return valueOf(name.equals("SILU") ? "SWISH" : name);
        } catch (IllegalArgumentException e) {
            throw new SeqrecException("unknown activation '" + s + "' (gelu, relu, swish or silu, tanh, sigmoid)");
        }
    }

    public NDArray apply(NDArray x) {
        switch (this) {
            case GELU:
                return Nn.gelu(x);
            case RELU:
                return Activation.relu(x);
            case SWISH:
                return Nn.silu(x);
            case TANH:
                return Activation.tanh(x);
            default:
                return Activation.sigmoid(x);
        }
    }
}
