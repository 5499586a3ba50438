package org.seqrec.model;

/** A model with a mask token in its vocabulary (BERT4Rec), as the Cloze objective needs. */
public interface MaskedItemModel {
    /** The token id that stands for a masked item. */
    int maskToken();
}
