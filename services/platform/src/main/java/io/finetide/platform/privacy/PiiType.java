package io.finetide.platform.privacy;

import java.util.Locale;

/**
 * The kinds of personal data a task may ask ingestion to redact ({@code privacy.piiTypes}); each is replaced by its
 * typed placeholder, such as {@code [EMAIL]}.
 */
public enum PiiType {
    EMAIL, IBAN, CARD, IP, PHONE;

    public String placeholder() {
        return "[" + name() + "]";
    }

    public static PiiType parse(String s) {
        return valueOf(s.strip().toUpperCase(Locale.ROOT));
    }
}
