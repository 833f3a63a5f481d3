package io.finetide.ingestion.intake;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.proto.v1.RawExampleEvent;
import io.finetide.proto.v1.TaskDefinitionEvent;
import io.finetide.proto.v1.TaskType;

/**
 * What an example of a task that writes text must hold: a text-generation example its prompt and the completion the
 * model is to write after it, a sequence-to-sequence example its input and target; each non-blank and within the
 * task's size; none of the other kinds' fields. An example without its target is refused rather than queued: nobody
 * writes targets on the labeling page.
 */
final class GenerationExamples {

    /** The two fields of an example of each kind, as producers name them. */
    private record Fields(String source, String target, String verb) {
    }

    private static final Fields GENERATION = new Fields("prompt", "completion", "generates text");
    private static final Fields SEQ2SEQ = new Fields("input", "target", "writes a target for each input");

    private GenerationExamples() {
    }

    /** The text the model reads: the prompt or the input. */
    static String source(RawExampleEvent raw, TaskDefinitionEvent task) {
        return task.getType() == TaskType.SEQ2SEQ ? raw.getInput() : raw.getPrompt();
    }

    /** The text the model is to write: the completion or the target. */
    static String target(RawExampleEvent raw, TaskDefinitionEvent task) {
        return task.getType() == TaskType.SEQ2SEQ ? raw.getTarget() : raw.getCompletion();
    }

    static void validate(RawExampleEvent raw, TaskDefinitionEvent task) {
        String name = task.getName();
        Fields f = task.getType() == TaskType.SEQ2SEQ ? SEQ2SEQ : GENERATION;
        Fields other = f == SEQ2SEQ ? GENERATION : SEQ2SEQ;
        String give = "task '" + name + "' " + f.verb() + ": give '" + f.source() + "' and '" + f.target() + "'";
        String otherSource = f == SEQ2SEQ ? raw.getPrompt() : raw.getInput();
        String otherTarget = f == SEQ2SEQ ? raw.getCompletion() : raw.getTarget();
        if (raw.getTokensCount() > 0 || raw.getTagsCount() > 0 || !raw.getTextPair().isEmpty() || !raw.getLabel()
                .isEmpty() || !otherSource.isEmpty() || !otherTarget.isEmpty()) {
            throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, give + " (not tokens, tags, textPair, label, "
                    + other.source() + " or " + other.target() + ")");
        }
        if (!raw.getText().isEmpty()) {
            throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "task '" + name + "' " + f.verb() + ": its "
                    + "examples give '" + f.source() + "', not 'text'");
        }
        String source = source(raw, task);
        String target = target(raw, task);
        if (source.isEmpty() || target.isEmpty()) {
            throw new RejectedException(ReasonCode.MISSING_FIELD, give);
        }
        if (source.isBlank()) {
            throw new RejectedException(ReasonCode.EMPTY_TEXT, f.source() + " is empty");
        }
        if (target.isBlank()) {
            throw new RejectedException(ReasonCode.EMPTY_TEXT, f.target() + " is empty");
        }
        IngestService.checkBytes(source, task);
        IngestService.checkBytes(target, task);
    }
}
