package io.finetide.model.graph;

import java.util.LinkedHashMap;
import java.util.Map;

import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import io.finetide.model.arch.Inputs;

/** A training graph's loss and gradients for a batch, without dropout and without changing anything. */
public final class GradientProbe {

    private final Session session;
    private final Inputs inputs;
    private final TrainingOps training;
    private final Placeholder<TFloat32> dropoutRate;

    GradientProbe(Session session, Inputs inputs, TrainingOps training, Placeholder<TFloat32> dropoutRate) {
        this.session = session;
        this.inputs = inputs;
        this.training = training;
        this.dropoutRate = dropoutRate;
    }

    /** The training loss of a batch without dropout, changing nothing. */
    public float loss(Batch batch, int[] batchLabels) {
        TrainingOps t = training;
        try (BatchTensors in = new BatchTensors(batch, inputs);
                TInt32 y = TInt32.vectorOf(batchLabels);
                TFloat32 rate = TFloat32.scalarOf(0f);
                Result r = in.feed(session.runner()).feed(t.labels(), y)
                        .feed(dropoutRate, rate).fetch(t.loss()).run()) {
            return ((TFloat32) r.get(0)).getFloat();
        }
    }

    /** The gradient of {@link #loss} with respect to each trainable parameter (unclipped), changing nothing. */
    public Map<String, float[]> gradients(Batch batch, int[] batchLabels) {
        TrainingOps t = training;
        try (BatchTensors in = new BatchTensors(batch, inputs);
                TInt32 y = TInt32.vectorOf(batchLabels);
                TFloat32 rate = TFloat32.scalarOf(0f)) {
            Session.Runner runner = in.feed(session.runner()).feed(t.labels(), y)
                    .feed(dropoutRate, rate);
            for (Output<?> g : t.gradients()) {
                runner.fetch(g);
            }
            Map<String, float[]> out = new LinkedHashMap<>();
            try (Result r = runner.run()) {
                for (int i = 0; i < t.trainable().size(); i++) {
                    float[] v = new float[t.trainable().get(i).size()];
                    ((TFloat32) r.get(i)).copyTo(DataBuffers.of(v, false, false));
                    out.put(t.trainable().get(i).name(), v);
                }
            }
            return out;
        }
    }
}
