package io.finetide.deployment.api;

import java.util.List;
import java.util.Locale;

import io.finetide.model.generate.Decoding;
import io.finetide.model.generate.GenerationSettings;

/**
 * A generation request checked into {@link GenerationSettings}, one set of rules for Finetide's {@code /generate} and
 * the Open Inference generate extension; a refusal names the fields as the caller spelt them.
 */
public final class GenerationRequests {

    /** The most new tokens a request may ask for, and the most stop sequences. */
    static final int MAX_NEW_TOKENS = 512;
    static final int MAX_STOPS = 8;
    static final int MAX_BEAM_WIDTH = 16;
    static final int DEFAULT_NEW_TOKENS = 64;
    static final int DEFAULT_BEAM_WIDTH = 4;

    /** How a protocol spells the fields a refusal names. */
    public enum Spelling {
        FINETIDE("prompt", "maxNewTokens", "beamWidth", "topK", "topP"), OPEN_INFERENCE("text_input", "max_tokens",
                "beam_width", "top_k", "top_p");

        final String prompt;
        final String maxNewTokens;
        final String beamWidth;
        final String topK;
        final String topP;

        Spelling(String prompt, String maxNewTokens, String beamWidth, String topK, String topP) {
            this.prompt = prompt;
            this.maxNewTokens = maxNewTokens;
            this.beamWidth = beamWidth;
            this.topK = topK;
            this.topP = topP;
        }
    }

    /** Either the settings, or the reason and message of the refusal. */
    public record Checked(GenerationSettings settings, String reason, String message) {
        public boolean refused() {
            return settings == null;
        }

        static Checked refusal(String reason, String message) {
            return new Checked(null, reason, message);
        }
    }

    private GenerationRequests() {
    }

    public static Checked check(GenerateResource.GenerateRequest r, Spelling names) {
        if (r == null || r.prompt() == null || r.prompt().isBlank()) {
            return Checked.refusal("MISSING_FIELD", "'" + names.prompt + "' must be a non-blank string");
        }
        Decoding decoding = Decoding.GREEDY;
        if (r.decoding() != null) {
            try {
                decoding = Decoding.valueOf(r.decoding().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return Checked.refusal("MALFORMED_PAYLOAD", "'decoding' must be GREEDY, BEAM or SAMPLING");
            }
        }
        int maxNew = r.maxNewTokens() == null ? DEFAULT_NEW_TOKENS : r.maxNewTokens();
        int width = r.beamWidth() == null ? (decoding == Decoding.BEAM ? DEFAULT_BEAM_WIDTH : 1) : r.beamWidth();
        double temperature = r.temperature() == null ? 1.0 : r.temperature();
        int topK = r.topK() == null ? 0 : r.topK();
        double topP = r.topP() == null ? 1.0 : r.topP();
        String problem = null;
        if (maxNew < 1 || maxNew > MAX_NEW_TOKENS) {
            problem = "'" + names.maxNewTokens + "' must be in [1, " + MAX_NEW_TOKENS + "]";
        } else if (width < 1 || width > MAX_BEAM_WIDTH) {
            problem = "'" + names.beamWidth + "' must be in [1, " + MAX_BEAM_WIDTH + "]";
        } else if (!(temperature > 0 && temperature <= 10)) {
            problem = "'temperature' must be in (0, 10]";
        } else if (topK < 0) {
            problem = "'" + names.topK + "' must be 0 (all tokens) or more";
        } else if (!(topP > 0 && topP <= 1)) {
            problem = "'" + names.topP + "' must be in (0, 1]";
        } else if (r.stop() != null && (r.stop().size() > MAX_STOPS || r.stop().stream().anyMatch(s -> s == null || s
                .isEmpty()))) {
            problem = "'stop' must hold at most " + MAX_STOPS + " non-empty strings";
        } else if (decoding != Decoding.SAMPLING && (r.temperature() != null || r.topK() != null || r.topP() != null
                || r.seed() != null)) {
            problem = "'temperature', '" + names.topK + "', '" + names.topP + "' and 'seed' are for SAMPLING";
        } else if (decoding != Decoding.BEAM && r.beamWidth() != null) {
            problem = "'" + names.beamWidth + "' is for BEAM";
        }
        if (problem != null) {
            return Checked.refusal("MALFORMED_PAYLOAD", problem);
        }
        long seed = r.seed() != null ? r.seed() : new java.security.SecureRandom().nextLong();
        return new Checked(new GenerationSettings(decoding, maxNew, width, 1.0, temperature, topK, topP, seed), null,
                null);
    }

    /** The stop sequences asked for, none when absent. */
    public static List<String> stops(GenerateResource.GenerateRequest r) {
        return r.stop() == null ? List.of() : r.stop();
    }
}
