package io.finetide.platform.security;

import java.util.Locale;

/** Who may call what: producers send examples, annotators label, admins manage tasks and data (and may do all). */
public enum Role {
    PRODUCER, ANNOTATOR, ADMIN;

    public static Role parse(String s) {
        return valueOf(s.strip().toUpperCase(Locale.ROOT));
    }
}
