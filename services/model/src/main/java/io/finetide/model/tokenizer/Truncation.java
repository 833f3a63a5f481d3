package io.finetide.model.tokenizer;

/**
 * Which tokens of a long text a model sees: the first ({@code HEAD}), the last ({@code TAIL}), or a quarter from the
 * start and the rest from the end ({@code HEAD_AND_TAIL}: long reviews often give the verdict last). The opening and
 * closing special tokens are always kept. Training and serving apply the same policy: it travels in the model bundle.
 */
public enum Truncation {
    HEAD, TAIL, HEAD_AND_TAIL;

    /** {@code ids} (opening special token first, closing one last) cut to {@code max}; unchanged when they fit. */
    public int[] cut(int[] ids, int max) {
        if (ids.length <= max) {
            return ids;
        }
        if (max < 2) {
            throw new IllegalArgumentException("a maximum length below 2 cannot keep the special tokens");
        }
        int[] out = new int[max];
        int keep = max - 2;
        int head = switch (this) {
            case TAIL -> 0;
            case HEAD_AND_TAIL -> keep / 4;
            case HEAD -> keep;
        };
        int tail = keep - head;
        out[0] = ids[0];
        System.arraycopy(ids, 1, out, 1, head);
        System.arraycopy(ids, ids.length - 1 - tail, out, 1 + head, tail);
        out[max - 1] = ids[ids.length - 1];
        return out;
    }

    /** A policy by name; null or blank is {@code HEAD} (bundles written before policies existed). */
    public static Truncation parse(String name) {
        return name == null || name.isBlank() ? HEAD : valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
    }
}
