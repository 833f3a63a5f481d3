package io.finetide.deployment.feedback;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The id the serving APIs return with each answer, for feedback to name it: the model that answered, the label it
 * gave and a random nonce, as {@code <model id>.<label, base64url>.<nonce>}. Carrying what feedback needs in the id
 * keeps serving free of a prediction log: any replica, restarted or not, can judge feedback on any prediction.
 */
public record PredictionId(String modelId, String label, String nonce) {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder LABEL = Base64.getUrlEncoder().withoutPadding();

    public static PredictionId next(String modelId, String label) {
        byte[] nonce = new byte[6];
        RANDOM.nextBytes(nonce);
        return new PredictionId(modelId, label, HexFormat.of().formatHex(nonce));
    }

    public String encoded() {
        return modelId + "." + LABEL.encodeToString(label.getBytes(StandardCharsets.UTF_8)) + "." + nonce;
    }

    /** The id's parts, or empty when it is not one the serving APIs gave. */
    public static Optional<PredictionId> parse(String id) {
        if (id == null) {
            return Optional.empty();
        }
        int nonceAt = id.lastIndexOf('.');
        int labelAt = nonceAt <= 0 ? -1 : id.lastIndexOf('.', nonceAt - 1);
        if (labelAt <= 0 || nonceAt - labelAt < 2 || id.length() - nonceAt != 13) {
            return Optional.empty();
        }
        String nonce = id.substring(nonceAt + 1);
        if (!nonce.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return Optional.empty();
        }
        try {
            String label = new String(Base64.getUrlDecoder().decode(id.substring(labelAt + 1, nonceAt)),
                    StandardCharsets.UTF_8);
            return Optional.of(new PredictionId(id.substring(0, labelAt), label, nonce));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
