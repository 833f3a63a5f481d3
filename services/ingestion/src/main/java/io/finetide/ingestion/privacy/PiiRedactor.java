package io.finetide.ingestion.privacy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.finetide.platform.privacy.PiiType;

/**
 * Replaces personal data in text by typed placeholders ({@code [EMAIL]}, {@code [PHONE]}, {@code [CARD]},
 * {@code [IBAN]}, {@code [IP]}) and counts them. Every candidate a pattern finds must also pass a check before it is
 * replaced: payment cards the Luhn checksum, IBANs their mod-97 checksum, IP addresses a strict parse, phone numbers a
 * digit count and a shape that dates, times, amounts and plain numbers do not have. Types run in a fixed order (e-mail
 * first: addresses hold digits; phone last: it is the loosest), each on the previous one's output.
 */
public final class PiiRedactor {

    /** The redacted text and how many of each type were replaced. */
    public record Result(String text, Map<PiiType, Integer> counts) {
        public int total() {
            return counts.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private static final Pattern EMAIL = Pattern.compile(
            "(?<![\\w.%+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,24}"
                    + "(?![\\w-])");
    private static final Pattern IBAN = Pattern.compile("(?<![A-Za-z0-9])[A-Z]{2}\\d{2}(?: ?[A-Z0-9]{4}){2,7}"
            + "(?: ?[A-Z0-9]{1,4})?(?![A-Za-z0-9])");
    private static final Pattern CARD = Pattern.compile("(?<![\\d-])\\d(?:[ -]?\\d){12,18}(?![\\d-])");
    private static final Pattern IPV4 = Pattern.compile("(?<![\\d.])(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}"
            + "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(?!\\d|\\.\\d)");
    private static final Pattern IPV6 = Pattern.compile("(?i)(?<![0-9a-f:.])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}"
            + "(?![0-9a-f:])");
    /** International (+...), with an area code in parentheses, or three or more groups split by spaces or dashes. */
    private static final Pattern PHONE = Pattern.compile("(?<![\\w+])(?:\\+\\d{1,3}[ .-]?(?:\\(\\d{1,4}\\)[ .-]?)?"
            + "\\d{1,4}(?:[ .-]?\\d{2,4}){1,4}|\\(\\d{2,4}\\)[ .-]?\\d{2,4}(?:[ .-]\\d{2,4}){1,3}"
            + "|\\d{2,4}(?:[ -]\\d{2,4}){2,4})(?![\\w])");
    private static final Pattern DATE = Pattern.compile("\\d{4}[-/.]\\d{1,2}[-/.]\\d{1,2}|\\d{1,2}[-/.]\\d{1,2}[-/.]"
            + "\\d{2,4}");

    private final Set<PiiType> types;

    private PiiRedactor(Set<PiiType> types) {
        this.types = types;
    }

    /** A redactor of the given types; all of them when {@code types} is empty. */
    public static PiiRedactor of(Collection<PiiType> types) {
        return new PiiRedactor(types.isEmpty() ? EnumSet.allOf(PiiType.class) : EnumSet.copyOf(types));
    }

    /** Redacted tokens (as many as given) and how many of each type were replaced. */
    public record TokenResult(List<String> tokens, Map<PiiType, Integer> counts) {
    }

    private record Span(int start, int end, PiiType type) {
    }

    public Result redact(String text) {
        Map<PiiType, Integer> counts = new EnumMap<>(PiiType.class);
        StringBuilder out = new StringBuilder(text.length());
        int last = 0;
        for (Span s : spans(text)) {
            out.append(text, last, s.start()).append(s.type().placeholder());
            last = s.end();
            counts.merge(s.type(), 1, Integer::sum);
        }
        return new Result(out.append(text, last, text.length()).toString(), counts);
    }

    /**
     * Redacts a token sequence without changing its length (tags stay aligned): the tokens are joined with spaces,
     * and every token that personal data touches becomes that data's placeholder ("+44 20 7946 0958" as four tokens
     * becomes four {@code [PHONE]} tokens). Counted once per match.
     */
    public TokenResult redactTokens(List<String> tokens) {
        String joined = String.join(" ", tokens);
        Map<PiiType, Integer> counts = new EnumMap<>(PiiType.class);
        List<String> out = new ArrayList<>(tokens);
        List<Span> spans = spans(joined);
        int from = 0;
        for (int i = 0; i < tokens.size(); i++) {
            int to = from + tokens.get(i).length();
            for (Span s : spans) {
                if (s.start() < to && s.end() > from) {
                    out.set(i, s.type().placeholder());
                    break;
                }
            }
            from = to + 1;
        }
        spans.forEach(s -> counts.merge(s.type(), 1, Integer::sum));
        return new TokenResult(out, counts);
    }

    /**
     * Where personal data is, by type in a fixed order (e-mail, IBAN, card, IP, phone); a later type never matches
     * inside an earlier one's span.
     */
    private List<Span> spans(String text) {
        List<Span> taken = new ArrayList<>();
        if (types.contains(PiiType.EMAIL)) {
            find(text, EMAIL, s -> true, PiiType.EMAIL, taken);
        }
        if (types.contains(PiiType.IBAN)) {
            find(text, IBAN, PiiRedactor::validIban, PiiType.IBAN, taken);
        }
        if (types.contains(PiiType.CARD)) {
            find(text, CARD, PiiRedactor::validCard, PiiType.CARD, taken);
        }
        if (types.contains(PiiType.IP)) {
            find(text, IPV4, s -> true, PiiType.IP, taken);
            find(text, IPV6, PiiRedactor::validIpv6, PiiType.IP, taken);
        }
        if (types.contains(PiiType.PHONE)) {
            find(text, PHONE, PiiRedactor::plausiblePhone, PiiType.PHONE, taken);
        }
        taken.sort(java.util.Comparator.comparingInt(Span::start));
        return taken;
    }

    private static void find(String text, Pattern pattern, Predicate<String> check, PiiType type, List<Span> taken) {
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            int start = m.start();
            int end = m.end();
            if (check.test(m.group()) && taken.stream().noneMatch(s -> s.start() < end && s.end() > start)) {
                taken.add(new Span(start, end, type));
            }
        }
    }

    static boolean validCard(String s) {
        String digits = s.replaceAll("[ -]", "");
        if (digits.length() < 13 || digits.length() > 19) {
            return false;
        }
        int sum = 0;
        for (int i = 0; i < digits.length(); i++) {
            int d = digits.charAt(digits.length() - 1 - i) - '0';
            if (i % 2 == 1) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
        }
        return sum % 10 == 0;
    }

    static boolean validIban(String s) {
        String iban = s.replace(" ", "");
        if (iban.length() < 15 || iban.length() > 34) {
            return false;
        }
        String rearranged = iban.substring(4) + iban.substring(0, 4);
        StringBuilder digits = new StringBuilder();
        for (char c : rearranged.toCharArray()) {
            digits.append(Character.isDigit(c) ? String.valueOf(c) : String.valueOf(c - 'A' + 10));
        }
        return new BigInteger(digits.toString()).mod(BigInteger.valueOf(97)).intValue() == 1;
    }

    static boolean validIpv6(String s) {
        int doubleColon = s.indexOf("::");
        if (doubleColon != s.lastIndexOf("::") && doubleColon >= 0) {
            return false;
        }
        String[] parts = s.split(":", -1);
        int groups = 0;
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (p.isEmpty()) {
                // Empty parts only where "::" is (or its ends at the start or end of the address).
                continue;
            }
            if (p.length() > 4) {
                return false;
            }
            groups++;
        }
        return doubleColon >= 0 ? groups <= 7 && s.length() >= 3 : groups == 8 && parts.length == 8;
    }

    static boolean plausiblePhone(String s) {
        long digits = s.chars().filter(Character::isDigit).count();
        if (digits < 7 || digits > 15) {
            return false;
        }
        if (DATE.matcher(s).matches()) {
            return false;
        }
        // Without a country code or an area code in parentheses, short digit groups are more often numbers.
        return s.startsWith("+") || s.startsWith("(") || digits >= 9;
    }
}
