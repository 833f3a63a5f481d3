package io.finetide.evaluation.robustness;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import io.finetide.model.metrics.EntityF1;
import io.finetide.platform.privacy.PiiType;

/**
 * Changes to an example that should not change a good model's answer (CheckList's invariance tests, Ribeiro et al.,
 * 2020). Each is seeded per example, so the same golden set is perturbed the same way for candidate and champion and
 * for every verdict. An example a perturbation cannot change (no number to change, no placeholder to swap) is left
 * out of that perturbation's figures.
 */
public enum Perturbation {

    /** Two adjacent inner letters of one word of four or more letters swapped ("movie" to "mvoie"). */
    TYPO {
        @Override
        Optional<Perturbed> apply(List<String> words, List<String> tags, Random random, EntityPool pool) {
            int[] candidates = IntStream.range(0, words.size()).filter(i -> LETTERS.matcher(words.get(i)).matches()
                    && words.get(i).length() >= 4 && hasSwap(words.get(i))).toArray();
            if (candidates.length == 0) {
                return Optional.empty();
            }
            int w = candidates[random.nextInt(candidates.length)];
            String word = words.get(w);
            int[] positions = IntStream.range(1, word.length() - 2).filter(j -> word.charAt(j) != word.charAt(j + 1))
                    .toArray();
            int j = positions[random.nextInt(positions.length)];
            char[] c = word.toCharArray();
            char t = c[j];
            c[j] = c[j + 1];
            c[j + 1] = t;
            List<String> out = new ArrayList<>(words);
            out.set(w, new String(c));
            return Optional.of(same(out, tags));
        }
    },

    /** Lower-cased when the example has capitals; otherwise every word capitalised. */
    CASING {
        @Override
        Optional<Perturbed> apply(List<String> words, List<String> tags, Random random, EntityPool pool) {
            boolean hasUpper = words.stream().anyMatch(w -> !w.equals(w.toLowerCase(Locale.ROOT)));
            List<String> out = words.stream().map(w -> hasUpper
                    ? w.toLowerCase(Locale.ROOT)
                    : w.isEmpty() ? w : w.substring(0, 1).toUpperCase(Locale.ROOT) + w.substring(1)).toList();
            return out.equals(words) ? Optional.empty() : Optional.of(same(out, tags));
        }
    },

    /**
     * Words that are only punctuation removed (a final "." added when there are none), and the words of a text
     * separated by two spaces instead of one.
     */
    PUNCTUATION {
        @Override
        Optional<Perturbed> apply(List<String> words, List<String> tags, Random random, EntityPool pool) {
            List<String> out = new ArrayList<>();
            List<String> outTags = new ArrayList<>();
            List<Integer> origin = new ArrayList<>();
            for (int i = 0; i < words.size(); i++) {
                if (!PUNCT.matcher(words.get(i)).matches()) {
                    out.add(words.get(i));
                    origin.add(i);
                    if (!tags.isEmpty()) {
                        outTags.add(tags.get(i));
                    }
                }
            }
            if (out.isEmpty()) {
                return Optional.empty();
            }
            if (out.size() == words.size()) {
                out.add(".");
                origin.add(-1);
                if (!tags.isEmpty()) {
                    outTags.add("O");
                }
            }
            return Optional.of(new Perturbed(out, outTags, origin.stream().mapToInt(Integer::intValue).toArray(),
                    "  "));
        }
    },

    /** Every personal-data placeholder ({@code [EMAIL]}, ...) replaced by another type's. */
    PLACEHOLDER {
        @Override
        Optional<Perturbed> apply(List<String> words, List<String> tags, Random random, EntityPool pool) {
            PiiType[] types = PiiType.values();
            return replaceEach(words, PLACEHOLDERS, m -> types[(PiiType.valueOf(m.group(1)).ordinal() + 1 + random
                    .nextInt(types.length - 1)) % types.length].placeholder()).map(out -> same(out, tags));
        }
    },

    /** Every number replaced by another of as many digits. */
    NUMBER {
        @Override
        Optional<Perturbed> apply(List<String> words, List<String> tags, Random random, EntityPool pool) {
            return replaceEach(words, DIGITS, m -> {
                String number = m.group();
                String other;
                do {
                    StringBuilder d = new StringBuilder();
                    for (int k = 0; k < number.length(); k++) {
                        d.append(k == 0 && number.length() > 1 ? 1 + random.nextInt(9) : random.nextInt(10));
                    }
                    other = d.toString();
                } while (other.equals(number));
                return other;
            }).map(out -> same(out, tags));
        }
    },

    /**
     * Tagging only: one entity's words replaced by another entity of the same type and length from the golden set
     * ("Paris" by "Lyon"); the tags stay.
     */
    ENTITY {
        @Override
        Optional<Perturbed> apply(List<String> words, List<String> tags, Random random, EntityPool pool) {
            if (tags.isEmpty()) {
                return Optional.empty();
            }
            List<EntityF1.Chunk> chunks = EntityF1.chunks(tags);
            if (chunks.isEmpty()) {
                return Optional.empty();
            }
            EntityF1.Chunk chunk = chunks.get(random.nextInt(chunks.size()));
            List<String> span = words.subList(chunk.start(), chunk.end());
            List<List<String>> others = pool.others(chunk.type(), span);
            if (others.isEmpty()) {
                return Optional.empty();
            }
            List<String> out = new ArrayList<>(words);
            List<String> replacement = others.get(random.nextInt(others.size()));
            for (int k = 0; k < replacement.size(); k++) {
                out.set(chunk.start() + k, replacement.get(k));
            }
            return Optional.of(same(out, tags));
        }
    };

    private static final Pattern LETTERS = Pattern.compile("\\p{L}+");
    private static final Pattern PUNCT = Pattern.compile("\\p{P}+");
    private static final Pattern DIGITS = Pattern.compile("\\d+");
    private static final Pattern PLACEHOLDERS = Pattern.compile("\\[(" + String.join("|", Arrays.stream(PiiType
            .values()).map(Enum::name).toList()) + ")\\]");

    /** The report's name: {@code typo}, {@code casing}, ... */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The perturbations for a task kind: entity swaps only where there are entities. */
    public static List<Perturbation> forTask(boolean tagging) {
        return Arrays.stream(values()).filter(p -> tagging || p != ENTITY).toList();
    }

    /**
     * The perturbed example, or empty when this perturbation cannot change it.
     *
     * @param tags  one per word for a tagging task, empty otherwise
     * @param index the example's position among the perturbed ones: with {@code seed}, what makes it repeatable
     */
    public Optional<Perturbed> perturb(List<String> words, List<String> tags, long seed, int index,
            EntityPool pool) {
        Random random = new Random(seed * 1_000_003L + ordinal() * 7_919L + index);
        return apply(words, tags, random, pool);
    }

    abstract Optional<Perturbed> apply(List<String> words, List<String> tags, Random random, EntityPool pool);

    /** Every match of {@code pattern} in the words replaced; empty when there is none. */
    private static Optional<List<String>> replaceEach(List<String> words, Pattern pattern,
            Function<Matcher, String> with) {
        boolean changed = false;
        List<String> out = new ArrayList<>();
        for (String w : words) {
            Matcher m = pattern.matcher(w);
            StringBuilder b = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(b, Matcher.quoteReplacement(with.apply(m)));
                changed = true;
            }
            m.appendTail(b);
            out.add(b.toString());
        }
        return changed ? Optional.of(out) : Optional.empty();
    }

    private static Perturbed same(List<String> words, List<String> tags) {
        return new Perturbed(words, tags, IntStream.range(0, words.size()).toArray(), " ");
    }

    private static boolean hasSwap(String word) {
        return IntStream.range(1, word.length() - 2).anyMatch(j -> word.charAt(j) != word.charAt(j + 1));
    }

    /** Entity spans of the golden set by type, for {@link #ENTITY}. */
    public record EntityPool(Map<String, List<List<String>>> byType) {

        public static final EntityPool NONE = new EntityPool(Map.of());

        public static EntityPool of(List<List<String>> words, List<List<String>> tags) {
            Map<String, List<List<String>>> by = new java.util.TreeMap<>();
            for (int i = 0; i < words.size(); i++) {
                for (EntityF1.Chunk c : EntityF1.chunks(tags.get(i))) {
                    List<String> span = List.copyOf(words.get(i).subList(c.start(), c.end()));
                    List<List<String>> spans = by.computeIfAbsent(c.type(), k -> new ArrayList<>());
                    if (!spans.contains(span)) {
                        spans.add(span);
                    }
                }
            }
            return new EntityPool(by);
        }

        /** Spans of this type and length other than {@code span}. */
        List<List<String>> others(String type, List<String> span) {
            return byType.getOrDefault(type, List.of()).stream().filter(s -> s.size() == span.size() && !s.equals(
                    span)).toList();
        }
    }
}
