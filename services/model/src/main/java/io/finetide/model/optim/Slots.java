package io.finetide.model.optim;

import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** The graph's named variables, where the optimizer keeps its state beside the parameters. */
public interface Slots {

    /** A new variable, saved and restored with the rest of the graph's state. */
    Variable<TFloat32> create(String name, int[] shape);

    Variable<TFloat32> get(String name);
}
