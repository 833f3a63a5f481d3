package io.finetide.runtime.security;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * API keys and their roles, from {@code FINETIDE_SECURITY_API_KEYS}: comma-separated {@code key=role[+role...]},
 * for example {@code k3y-1=admin,k3y-2=producer+annotator}. Keys are compared in constant time.
 */
public final class ApiKeys {

    private final Map<String, Set<Role>> roles;

    private ApiKeys(Map<String, Set<Role>> roles) {
        this.roles = roles;
    }

    public static ApiKeys parse(String spec) {
        Map<String, Set<Role>> roles = new HashMap<>();
        if (spec != null) {
            for (String entry : spec.split(",")) {
                if (entry.isBlank()) {
                    continue;
                }
                int eq = entry.indexOf('=');
                if (eq <= 0 || eq == entry.length() - 1) {
                    throw new IllegalArgumentException("API key entries are key=role[+role...]; got an entry "
                            + "without '=' or without a role");
                }
                Set<Role> r = EnumSet.noneOf(Role.class);
                for (String role : entry.substring(eq + 1).split("\\+")) {
                    r.add(Role.parse(role));
                }
                String key = entry.substring(0, eq).strip();
                if (key.length() < 12) {
                    throw new IllegalArgumentException("API keys must have at least 12 characters");
                }
                roles.put(key, r);
            }
        }
        return new ApiKeys(roles);
    }

    public boolean enabled() {
        return !roles.isEmpty();
    }

    /** The roles of {@code presented}, or empty when it is no key. */
    public Optional<Set<Role>> rolesOf(String presented) {
        Set<Role> found = null;
        byte[] p = presented.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (Map.Entry<String, Set<Role>> e : roles.entrySet()) {
            // Every key is compared, so the time taken does not tell which one matched.
            if (java.security.MessageDigest.isEqual(p, e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
                found = e.getValue();
            }
        }
        return Optional.ofNullable(found);
    }
}
