package io.finetide.preprocessing.domain;

import io.finetide.platform.events.Hashing;
import io.finetide.proto.v1.Split;
import io.finetide.proto.v1.SplitRatios;

/**
 * Assigns a split from a hash of task and example id: the same example always lands in the same split, whatever the
 * order of arrival or the number of examples, so a test example can never later become a training example.
 */
public final class Splitter {

    private Splitter() {
    }

    public static Split assign(String task, String exampleId, SplitRatios ratios) {
        double u = Hashing.unitInterval(task + "\u0000" + exampleId);
        if (u < ratios.getTrain()) {
            return Split.TRAIN;
        }
        if (u < ratios.getTrain() + ratios.getValidation()) {
            return Split.VALIDATION;
        }
        return Split.TEST;
    }
}
