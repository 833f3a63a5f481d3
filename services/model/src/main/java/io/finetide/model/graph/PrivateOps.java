package io.finetide.model.graph;

import java.util.List;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

import io.finetide.model.optim.Updates;

/** DP-SGD's feeds and ops in a training graph (see {@link Updates#privateAccumulation}). */
record PrivateOps(Placeholder<TFloat32> clip, Placeholder<TFloat32> noiseStd, Placeholder<TInt64> noiseKey,
        Placeholder<TFloat32> expectedBatch, Updates.PrivateAccumulation accumulation) {

    static PrivateOps build(Ops tf, Updates updates, List<Operand<TFloat32>> exampleGrads) {
        Placeholder<TFloat32> clip = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        Placeholder<TFloat32> noiseStd = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        Placeholder<TInt64> noiseKey = tf.placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
        Placeholder<TFloat32> expectedBatch = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        return new PrivateOps(clip, noiseStd, noiseKey, expectedBatch, updates.privateAccumulation(exampleGrads,
                new Updates.PrivateFeeds(clip, noiseStd, noiseKey, expectedBatch)));
    }
}
