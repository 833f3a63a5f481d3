package io.finetide.preprocessing.domain;

import java.text.Normalizer;
import java.util.regex.Pattern;

/**
 * The cleaning steps every example goes through: Unicode NFKC (full-width letters, ligatures and compatibility forms
 * become their plain equivalents), control and format characters removed, runs of white space folded to one space,
 * trimmed. Case is kept: the task's tokenizer lower-cases if its base model expects it.
 */
public final class TextCleaner {

    /** Bumped whenever the output of {@link #clean} changes for some input; recorded in snapshots. */
    public static final int VERSION = 1;

    private static final Pattern CONTROL = Pattern.compile("[\\p{Cc}\\p{Cf}&&[^\\t\\n\\r]]");
    private static final Pattern SPACE = Pattern.compile("\\s+");

    private TextCleaner() {
    }

    public static String clean(String text) {
        String t = Normalizer.normalize(text, Normalizer.Form.NFKC);
        t = CONTROL.matcher(t).replaceAll("");
        t = SPACE.matcher(t).replaceAll(" ");
        return t.strip();
    }
}
