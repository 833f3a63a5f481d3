package io.finetide.runtime.api;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;

/**
 * How many entries a list endpoint answers ({@code ?limit=}): lists that grow for as long as a task lives (its audit
 * entries, its snapshots) are answered newest first and in pages, never whole.
 */
public final class ListLimit {

    /** What {@code ?limit=} is when not given, as {@code @DefaultValue} takes it. */
    public static final String DEFAULT = "100";
    public static final int MAX = 1000;

    private ListLimit() {
    }

    /** The limit asked for, refused ({@link ReasonCode#MALFORMED_PAYLOAD}) outside 1 to {@link #MAX}. */
    public static int checked(int limit) {
        if (limit < 1 || limit > MAX) {
            throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "limit is 1 to " + MAX + ", got " + limit);
        }
        return limit;
    }
}
