package io.finetide.ingestion.intake;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.proto.v1.RawExampleEvent;
import io.finetide.proto.v1.TaskDefinitionEvent;

/**
 * What a text-generation example must hold: a prompt and the completion the model is to write after it, each
 * non-blank and within the task's size; none of the other kinds' fields. An example without its completion has no
 * target, and nobody writes completions on the labeling page, so it is refused rather than queued.
 */
final class GenerationExamples {

    private GenerationExamples() {
    }

    static void validate(RawExampleEvent raw, TaskDefinitionEvent task) {
        String name = task.getName();
        if (raw.getTokensCount() > 0 || raw.getTagsCount() > 0 || !raw.getTextPair().isEmpty() || !raw.getLabel()
                .isEmpty()) {
            throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "task '" + name + "' generates text: give "
                    + "'prompt' and 'completion' (not tokens, tags, textPair or label)");
        }
        if (!raw.getText().isEmpty()) {
            throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "task '" + name + "' generates text: its "
                    + "examples give 'prompt', not 'text'");
        }
        if (raw.getPrompt().isEmpty() || raw.getCompletion().isEmpty()) {
            throw new RejectedException(ReasonCode.MISSING_FIELD, "task '" + name + "' generates text: give "
                    + "'prompt' and 'completion'");
        }
        if (raw.getPrompt().isBlank()) {
            throw new RejectedException(ReasonCode.EMPTY_TEXT, "prompt is empty");
        }
        if (raw.getCompletion().isBlank()) {
            throw new RejectedException(ReasonCode.EMPTY_TEXT, "completion is empty");
        }
        IngestService.checkBytes(raw.getPrompt(), task);
        IngestService.checkBytes(raw.getCompletion(), task);
    }
}
