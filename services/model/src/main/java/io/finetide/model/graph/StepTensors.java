package io.finetide.model.graph;

import java.util.List;

import org.tensorflow.Session;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

import io.finetide.model.transformer.ParamSpec;

/** The scalar feeds of an update, and which parameters it moves, fed and closed together. */
final class StepTensors implements AutoCloseable {
    private final TrainingOps ops;
    private final TFloat32 lr;
    private final TFloat32 wd;
    private final TFloat32 clip;
    private final TBool on;

    StepTensors(UpdateStep step, TrainingOps ops, boolean staged) {
        if (step.active() != null && !staged) {
            throw new IllegalArgumentException("graph was not built for staged training");
        }
        this.ops = ops;
        List<ParamSpec> trainable = ops.trainable();
        boolean[] flags = new boolean[trainable.size()];
        for (int i = 0; i < flags.length; i++) {
            flags[i] = step.active() == null || step.active().contains(trainable.get(i).name());
        }
        lr = TFloat32.scalarOf((float) step.learningRate());
        wd = TFloat32.scalarOf((float) step.weightDecay());
        // A clip of 0 or less disables clipping.
        clip = TFloat32.scalarOf(step.maxGradNorm() > 0 ? (float) step.maxGradNorm() : Float.MAX_VALUE);
        on = TBool.vectorOf(flags);
    }

    Session.Runner feed(Session.Runner runner) {
        return runner.feed(ops.learningRate(), lr).feed(ops.weightDecay(), wd).feed(ops.clipNorm(), clip).feed(ops
                .active(), on);
    }

    @Override
    public void close() {
        lr.close();
        wd.close();
        clip.close();
        on.close();
    }
}
