package io.finetide.platform.events;

import java.util.regex.Pattern;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;

/**
 * What an example's metadata key may be: 1 to 64 letters, digits, {@code _} or {@code -}. A key is stored as a field
 * name and searched as a field path (a subject's examples deleted by {@code customer}); a dot, a leading {@code $} or a
 * space there would name another field, an operator, or one the store refuses.
 */
public final class MetadataKeys {

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private MetadataKeys() {
    }

    public static boolean valid(String key) {
        return key != null && KEY.matcher(key).matches();
    }

    /** The key, or a refusal saying what a key may be. */
    public static String require(String key) {
        if (!valid(key)) {
            throw new RejectedException(ReasonCode.MALFORMED_PAYLOAD, "a metadata key is 1 to 64 letters, digits, "
                    + "'_' or '-'");
        }
        return key;
    }
}
