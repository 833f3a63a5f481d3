package io.finetide.platform.tagging;

import java.util.ArrayList;
import java.util.List;

/**
 * BIO tags of a token-classification task whose labels are entity types: {@code O} outside any entity,
 * {@code B-<type>} at an entity's first token, {@code I-<type>} inside it. An {@code I-} tag after {@code O} or after
 * another type is accepted (IOB1 streams have them; seqeval reads it as an entity start).
 */
public final class Bio {

    public static final String OUTSIDE = "O";

    private Bio() {
    }

    /** Every tag a task with these entity types accepts, {@code O} first. */
    public static List<String> tags(List<String> types) {
        List<String> out = new ArrayList<>();
        out.add(OUTSIDE);
        for (String t : types) {
            out.add("B-" + t);
            out.add("I-" + t);
        }
        return out;
    }

    /** Why an entity type cannot be one, or null. */
    public static String typeProblem(String type) {
        if (type.equals(OUTSIDE) || type.startsWith("B-") || type.startsWith("I-")) {
            return "labels of a token-classification task are entity types ('person'), not tags ('" + type + "')";
        }
        if (type.chars().anyMatch(Character::isWhitespace)) {
            return "entity type '" + type + "' contains whitespace";
        }
        return null;
    }

    /**
     * Why these tags do not fit the tokens and types, or null: the counts must match and every tag must be one of
     * {@link #tags}. Problems name the position.
     */
    public static String tagProblem(List<String> tokens, List<String> tags, List<String> types) {
        if (tags.size() != tokens.size()) {
            return tags.size() + " tags for " + tokens.size() + " tokens";
        }
        List<String> allowed = tags(types);
        for (int i = 0; i < tags.size(); i++) {
            if (!allowed.contains(tags.get(i))) {
                return "tag '" + tags.get(i) + "' at position " + i + " is not one of " + allowed;
            }
        }
        return null;
    }
}
