package io.finetide.deployment.rollout;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Which requests a canary answers. With a request key (the {@value #HEADER} header: a user, a session, a document)
 * the choice is a hash of task and key, so a caller keeps getting the same model and every replica agrees; without
 * one it is a coin with the canary's share.
 */
public final class CanaryRouting {

    /** The request header that makes canary routing sticky. */
    public static final String HEADER = "Finetide-Request-Key";

    private CanaryRouting() {
    }

    /** Whether the canary answers the request with {@code key} (null or blank: no key). */
    public static boolean toCanary(String task, String key, double share) {
        if (key == null || key.isBlank()) {
            return ThreadLocalRandom.current().nextDouble() < share;
        }
        return position(task, key) < share;
    }

    /** The key's place in [0, 1): the first 53 bits of SHA-256 of task, a NUL and key. */
    static double position(String task, String key) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest((task + '\0' + key).getBytes(
                    StandardCharsets.UTF_8));
            long bits = 0;
            for (int i = 0; i < 8; i++) {
                bits = (bits << 8) | (h[i] & 0xff);
            }
            return (bits >>> 11) * 0x1.0p-53;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
