package io.finetide.platform.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import io.finetide.platform.tasks.TaskDefinitions;

/**
 * API keys, each issued to an identity with roles and, optionally, the tasks it may touch. Only SHA-256 hashes of the
 * keys are kept: a key file or Secret holds no key that could be used if it leaked. Entries are separated by commas or
 * new lines; {@code #} starts a comment:
 *
 * <pre>
 * &lt;identity&gt; &lt;role&gt;[+&lt;role&gt;...] sha256:&lt;64 hex digits&gt; [tasks=&lt;task&gt;[|&lt;task&gt;...]]
 * &lt;key&gt;=&lt;role&gt;[+&lt;role&gt;...]      the first form: the key in clear, its identity "key-" and 8 hex digits of its hash
 * </pre>
 *
 * A presented key is hashed and compared with every entry in constant time, so the time taken does not tell which one
 * matched.
 */
public final class ApiKeys {

    private static final Pattern IDENTITY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
    private static final Pattern HASH = Pattern.compile("sha256:[0-9a-f]{64}");

    private record Entry(byte[] hash, Caller caller) {
    }

    private final List<Entry> entries;

    private ApiKeys(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    public static final ApiKeys NONE = new ApiKeys(List.of());

    /**
     * @throws IllegalArgumentException naming the entry's position and what is wrong with it, never the key itself
     */
    public static ApiKeys parse(String spec) {
        List<Entry> entries = new ArrayList<>();
        Set<String> identities = new LinkedHashSet<>();
        if (spec != null) {
            int n = 0;
            List<String> all = new ArrayList<>();
            for (String line : spec.split("\\n")) {
                // A comment runs to the end of its line, commas and all.
                all.addAll(List.of(line.replaceAll("#.*", "").split(",")));
            }
            for (String raw : all) {
                String entry = raw.strip();
                if (entry.isEmpty()) {
                    continue;
                }
                n++;
                Entry e = entry.contains(" ") || entry.contains("\t") ? named(entry, n) : clear(entry, n);
                if (!identities.add(e.caller().identity())) {
                    throw new IllegalArgumentException("API key entry " + n + ": identity '" + e.caller().identity()
                            + "' has another key already");
                }
                entries.add(e);
            }
        }
        return new ApiKeys(entries);
    }

    private static Entry named(String entry, int n) {
        String[] fields = entry.split("\\s+");
        if (fields.length < 3 || fields.length > 4) {
            throw new IllegalArgumentException("API key entry " + n + ": expected '<identity> <roles> sha256:<hex> "
                    + "[tasks=<task>|...]', got " + fields.length + " fields");
        }
        if (!IDENTITY.matcher(fields[0]).matches()) {
            throw new IllegalArgumentException("API key entry " + n + ": identity '" + fields[0] + "' is not letters, "
                    + "digits and . _ @ - (at most 64)");
        }
        if (!HASH.matcher(fields[2]).matches()) {
            throw new IllegalArgumentException("API key entry " + n + ": the key is given as sha256:<64 lower-case hex "
                    + "digits> (printf %s \"$KEY\" | sha256sum)");
        }
        Set<String> tasks = new LinkedHashSet<>();
        if (fields.length == 4) {
            if (!fields[3].startsWith("tasks=") || fields[3].length() == 6) {
                throw new IllegalArgumentException("API key entry " + n + ": the fourth field is tasks=<task>[|<task>"
                        + "...]");
            }
            for (String t : fields[3].substring(6).split("\\|")) {
                if (!TaskDefinitions.NAME.matcher(t).matches()) {
                    throw new IllegalArgumentException("API key entry " + n + ": '" + t + "' is not a task name");
                }
                tasks.add(t);
            }
        }
        return new Entry(HexFormat.of().parseHex(fields[2].substring(7)), new Caller(fields[0], roles(fields[1], n),
                tasks));
    }

    private static Entry clear(String entry, int n) {
        int eq = entry.indexOf('=');
        if (eq <= 0 || eq == entry.length() - 1) {
            throw new IllegalArgumentException("API key entry " + n + ": expected key=role[+role...] or '<identity> "
                    + "<roles> sha256:<hex>'");
        }
        String key = entry.substring(0, eq).strip();
        if (key.length() < 12) {
            throw new IllegalArgumentException("API key entry " + n + ": keys must have at least 12 characters");
        }
        byte[] hash = sha256(key);
        return new Entry(hash, new Caller("key-" + HexFormat.of().formatHex(hash).substring(0, 8), roles(entry
                .substring(eq + 1), n), Set.of()));
    }

    private static Set<Role> roles(String spec, int n) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String role : spec.split("\\+")) {
            try {
                roles.add(Role.parse(role));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("API key entry " + n + ": unknown role '" + role.strip()
                        + "' (producer, annotator, admin)");
            }
        }
        return roles;
    }

    /** The form a key file holds a key in: {@code sha256:<hex>}. */
    public static String hash(String key) {
        return "sha256:" + HexFormat.of().formatHex(sha256(key));
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    public boolean enabled() {
        return !entries.isEmpty();
    }

    public int size() {
        return entries.size();
    }

    /** Who holds {@code presented}, or empty when it is no key. */
    public Optional<Caller> callerOf(String presented) {
        byte[] hash = sha256(presented);
        Caller found = null;
        for (Entry e : entries) {
            if (MessageDigest.isEqual(hash, e.hash())) {
                found = e.caller();
            }
        }
        return Optional.ofNullable(found);
    }

    /** This and {@code other}'s entries (an identity in both is an error). */
    public ApiKeys and(ApiKeys other) {
        List<Entry> all = new ArrayList<>(entries);
        Set<String> identities = new LinkedHashSet<>();
        entries.forEach(e -> identities.add(e.caller().identity()));
        for (Entry e : other.entries) {
            if (!identities.add(e.caller().identity())) {
                throw new IllegalArgumentException("identity '" + e.caller().identity() + "' is given a key both "
                        + "in the configuration and in the key file");
            }
            all.add(e);
        }
        return new ApiKeys(all);
    }
}
