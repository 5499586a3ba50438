package org.seqrec.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.seqrec.nn.Nn;
import org.seqrec.nn.Params;

/**
 * A model that reads user ids (FM, AutoInt, the CTR model): a user table of {@code knownUsers + 1} rows, row 0 the
 * unknown user, who reads zeros. Without users (a cost trace) every row is the unknown user.
 */
public abstract class UserModel extends NeuralSeqModel {
    private final int knownUsers;

    protected UserModel(NDManager manager, int numItems, int maxLen, int knownUsers) {
        super(manager, numItems, maxLen);
        this.knownUsers = knownUsers;
    }

    @Override
    public final boolean readsUsers() {
        return true;
    }

    @Override
    public final int knownUsers() {
        return knownUsers;
    }

    /** Every row the unknown user. */
    @Override
    public final NDArray encodeLast(Params.Bound p, NDArray ids, boolean training) {
        return encodeLast(p, ids, ids.getManager().zeros(new Shape(ids.getShape().get(0)), DataType.INT64), training);
    }

    @Override
    public abstract NDArray encodeLast(Params.Bound p, NDArray ids, NDArray userRows, boolean training);

    /** Rows {@code userRows} of a user table {@code [knownUsers + 1, F]}, zeros for the unknown user (row 0): {@code [B, F]}. */
    protected static NDArray userRows(NDArray userRows, NDArray table) {
        NDArray known = userRows.gt(0).toType(DataType.FLOAT32, false).expandDims(1);
        return Nn.embedding(userRows, table).mul(known);
    }
}
