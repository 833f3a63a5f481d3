package io.finetide.training.studies;

import java.util.List;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;

/** A study spec with problems, every one of them listed. */
public final class InvalidStudyException extends RejectedException {

    private final List<String> problems;

    public InvalidStudyException(List<String> problems) {
        super(ReasonCode.INVALID_STUDY, String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
