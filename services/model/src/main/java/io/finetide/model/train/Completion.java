package io.finetide.model.train;

/**
 * A prompt and the completion a decoder is to learn to write after it, as token ids; the completion ends with the
 * end-of-text id when the model is to learn where to stop.
 */
public record Completion(int[] prompt, int[] completion) {

    public Completion {
        if (prompt.length == 0 || completion.length == 0) {
            throw new IllegalArgumentException("a completion needs a prompt and a completion");
        }
    }

    /**
     * A prompt and its completion as {@code tokenizer} reads them without special tokens, the completion ended with
     * {@code endOfText}.
     */
    public static Completion encode(io.finetide.model.tokenizer.Tokenizer tokenizer, String prompt, String completion,
            int endOfText) {
        return new Completion(tokenizer.encodePlain(prompt), tokenizer.encodeTarget(completion, endOfText));
    }

    /**
     * The prompt and completion as one sequence of at most {@code maxLength} ids: a long completion is cut at its end,
     * then a long prompt at its start (the words nearest the completion matter most), and one prompt token is kept.
     */
    public int[] joined(int maxLength) {
        int completionKept = Math.min(completion.length, maxLength - 1);
        int promptKept = Math.min(prompt.length, maxLength - completionKept);
        int[] out = new int[promptKept + completionKept];
        System.arraycopy(prompt, prompt.length - promptKept, out, 0, promptKept);
        System.arraycopy(completion, 0, out, promptKept, completionKept);
        return out;
    }

    /** How many of {@link #joined}'s ids are the prompt's. */
    public int promptLength(int maxLength) {
        return joined(maxLength).length - Math.min(completion.length, maxLength - 1);
    }
}
