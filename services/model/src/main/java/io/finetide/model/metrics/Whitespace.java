package io.finetide.model.metrics;

/** Python's {@code str.isspace} for one code point: what {@code split()} without arguments splits on. */
final class Whitespace {

    private Whitespace() {
    }

    static boolean is(int c) {
        // Java's isWhitespace leaves out the no-break spaces; isSpaceChar leaves out the C0 separators; Python counts
        // both, and U+0085.
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85;
    }
}
