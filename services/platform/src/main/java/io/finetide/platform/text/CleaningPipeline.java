package io.finetide.platform.text;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.events.Hashing;
import io.finetide.proto.v1.CleaningStep;

/**
 * A task's cleaning: named steps applied in order. Steps that rewrite text ({@code nfkc}, {@code controls},
 * {@code markup}, {@code whitespace}, {@code lowercase}) and steps that refuse text ({@code min-length},
 * {@code max-length}, parameter {@code chars}). Text that is empty after cleaning is refused too. The pipeline's
 * {@link #version()} names its steps, parameters and the code's revision, so a snapshot says exactly which cleaning
 * produced it.
 */
public final class CleaningPipeline {

    /** Bumped whenever some step's output changes for some input. */
    public static final int CODE_VERSION = 2;

    public static final List<String> STEPS = List.of("nfkc", "controls", "markup", "whitespace", "lowercase",
            "min-length", "max-length");
    public static final List<CleaningStep> DEFAULT = List.of(step("nfkc"), step("controls"), step("markup"),
            step("whitespace"));

    private static final Pattern CONTROL = Pattern.compile("[\\p{Cc}\\p{Cf}&&[^\\t\\n\\r]]");
    private static final Pattern SPACE = Pattern.compile("(?U)\\s+");
    // Script and style bodies are code, not text; comments and tags become a space so that words do not merge.
    private static final Pattern SCRIPT = Pattern.compile("(?is)<(script|style)\\b[^>]*>.*?</\\1\\s*>");
    private static final Pattern COMMENT = Pattern.compile("(?s)<!--.*?-->");
    private static final Pattern TAG = Pattern.compile("</?[a-zA-Z][^<>]*>|<![^<>]*>");
    private static final Pattern ENTITY = Pattern.compile("&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});");
    private static final Map<String, String> NAMED = Map.of("amp", "&", "lt", "<", "gt", ">", "quot", "\"", "apos",
            "'", "nbsp", "\u00A0", "ndash", "\u2013", "mdash", "\u2014", "hellip", "\u2026", "copy", "\u00A9");

    private final List<CleaningStep> steps;
    private final List<UnaryOperator<String>> operations = new ArrayList<>();
    private final String version;

    private CleaningPipeline(List<CleaningStep> steps) {
        this.steps = List.copyOf(steps);
        StringBuilder spec = new StringBuilder();
        for (CleaningStep s : this.steps) {
            operations.add(operation(s));
            spec.append(s.getName()).append(new TreeMap<>(s.getParamsMap())).append(';');
        }
        this.version = "clean-" + CODE_VERSION + "-" + Hashing.sha256Hex(spec.toString().getBytes(
                java.nio.charset.StandardCharsets.UTF_8)).substring(0, 12);
    }

    /** The pipeline of {@code steps}, or of {@link #DEFAULT} when there are none. */
    public static CleaningPipeline of(List<CleaningStep> steps) {
        return new CleaningPipeline(steps.isEmpty() ? DEFAULT : steps);
    }

    public static CleaningStep step(String name, String... params) {
        CleaningStep.Builder b = CleaningStep.newBuilder().setName(name);
        for (int i = 0; i + 1 < params.length; i += 2) {
            b.putParams(params[i], params[i + 1]);
        }
        return b.build();
    }

    /** Every problem of a step list, or an empty list. */
    public static List<String> problems(List<CleaningStep> steps) {
        List<String> p = new ArrayList<>();
        for (CleaningStep s : steps) {
            try {
                operation(s);
            } catch (IllegalArgumentException e) {
                p.add("preprocessing.cleaning: " + e.getMessage());
            }
        }
        return p;
    }

    public List<CleaningStep> steps() {
        return steps;
    }

    public String version() {
        return version;
    }

    /**
     * The cleaned text.
     *
     * @throws RejectedException when a length step refuses the text or nothing is left of it
     */
    public String clean(String text) {
        String t = text;
        for (UnaryOperator<String> op : operations) {
            t = op.apply(t);
        }
        if (t.isBlank()) {
            throw new RejectedException(ReasonCode.EMPTY_AFTER_CLEANING, "text is empty after cleaning");
        }
        return t;
    }

    private static UnaryOperator<String> operation(CleaningStep s) {
        Map<String, String> params = new LinkedHashMap<>(s.getParamsMap());
        UnaryOperator<String> op = switch (s.getName()) {
            case "nfkc" -> t -> Normalizer.normalize(t, Normalizer.Form.NFKC);
            case "controls" -> t -> CONTROL.matcher(t).replaceAll("");
            case "markup" -> CleaningPipeline::stripMarkup;
            case "whitespace" -> t -> SPACE.matcher(t).replaceAll(" ").strip();
            case "lowercase" -> t -> t.toLowerCase(Locale.ROOT);
            case "min-length" -> {
                int min = chars(s, params);
                yield t -> {
                    if (t.codePointCount(0, t.length()) < min) {
                        throw new RejectedException(ReasonCode.TEXT_TOO_SHORT, "cleaned text has fewer than " + min
                                + " characters");
                    }
                    return t;
                };
            }
            case "max-length" -> {
                int max = chars(s, params);
                yield t -> {
                    if (t.codePointCount(0, t.length()) > max) {
                        throw new RejectedException(ReasonCode.TEXT_TOO_LONG, "cleaned text has more than " + max
                                + " characters");
                    }
                    return t;
                };
            }
            default -> throw new IllegalArgumentException("unknown step '" + s.getName() + "', known: " + STEPS);
        };
        if (!params.isEmpty()) {
            throw new IllegalArgumentException("step '" + s.getName() + "' has unknown parameters " + params
                    .keySet());
        }
        return op;
    }

    private static int chars(CleaningStep s, Map<String, String> params) {
        String v = params.remove("chars");
        try {
            int n = Integer.parseInt(v == null ? "" : v.strip());
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("step '" + s.getName() + "' needs parameter chars, a positive whole "
                    + "number");
        }
    }

    static String stripMarkup(String t) {
        if (t.indexOf('<') < 0 && t.indexOf('&') < 0) {
            return t;
        }
        String s = SCRIPT.matcher(t).replaceAll(" ");
        s = COMMENT.matcher(s).replaceAll(" ");
        s = TAG.matcher(s).replaceAll(" ");
        Matcher m = ENTITY.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(entity(m.group(1), m.group())));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String entity(String body, String whole) {
        if (body.charAt(0) != '#') {
            return NAMED.getOrDefault(body.toLowerCase(Locale.ROOT), whole);
        }
        int cp = body.charAt(1) == 'x' || body.charAt(1) == 'X'
                ? Integer.parseInt(body.substring(2), 16)
                : Integer.parseInt(body.substring(1));
        return Character.isValidCodePoint(cp) && cp != 0 ? new String(Character.toChars(cp)) : " ";
    }
}
