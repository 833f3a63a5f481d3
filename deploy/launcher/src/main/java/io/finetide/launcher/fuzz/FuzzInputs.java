package io.finetide.launcher.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.quicktheories.QuickTheory;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The campaign's inputs, drawn from QuickTheories' generators (which start from their boundaries: empty, extremes,
 * the first and last code points), reproducibly from a seed ({@link Draws}): random JSON, a valid example with some of
 * its fields given the wrong type, removed or joined by others (grammar-based), documents nested thousands deep, large
 * ones, truncated text, bytes that are not UTF-8; and for topics, a real record of the topic truncated or with bits
 * flipped.
 */
final class FuzzInputs {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Texts that break naive code: control and format characters, lone surrogates, paths, injection, numbers. */
    private static final Gen<String> EDGY = Generate.pick(List.of("", " ", "\u0000", "\uFEFF", "\uD800", "\uDFFF",
            "\uD835\uDD4F", "e\u0301", "\u202E", "..", "../../etc/passwd", "%", "%00", "%2F", "null", "true", "-1",
            "0", "1e309", "NaN", "-0", "9223372036854775808", "<script>", "' OR 1=1 --", "{}", "[]", "{{", "\\",
            "a/b", "?x=1", "#", "\t\n\r"));
    /** Any code point, lone surrogates included. */
    private static final Gen<String> UNICODE = SourceDSL.strings().allPossible().ofLengthBetween(0, 64);

    private FuzzInputs() {
    }

    /**
     * Draws from generators outside a property, in batches that QuickTheories generates as it would for a theory's
     * examples (its three boundary examples first, then random), each batch from a seed derived from the campaign's:
     * the same seed and the same order of draws give the same inputs again. A theory skips an example it has already
     * tried; each draw carries a random salt so that this does not thin out the common branches (the real task name,
     * an empty body), which would otherwise appear once a batch whatever their weight.
     */
    static final class Draws {
        private static final int BATCH = 512;
        private final long seed;
        private final Map<Gen<?>, Deque<Object>> drawn = new IdentityHashMap<>();
        private final Map<Gen<?>, Integer> batches = new IdentityHashMap<>();

        Draws(long seed) {
            this.seed = seed;
        }

        @SuppressWarnings("unchecked")
        <T> T next(Gen<T> gen) {
            Deque<Object> values = drawn.computeIfAbsent(gen, g -> new ArrayDeque<>());
            if (values.isEmpty()) {
                int batch = batches.merge(gen, 1, Integer::sum);
                long batchSeed = seed * 1_000_003L + (long) drawn.size() * 7_919L + batch;
                Gen<T> salted = gen.zip(SourceDSL.longs().all(), (value, salt) -> value);
                QuickTheory.qt().withFixedSeed(batchSeed).withExamples(BATCH).withShrinkCycles(0).forAll(salted)
                        .checkAssert(values::add);
            }
            return (T) values.poll();
        }
    }

    /** A path or query value: mostly {@code usual} (so that the call reaches the code behind it), else anything. */
    static Gen<String> parameter(String usual) {
        Gen<String> numbers = SourceDSL.longs().all().map((Long n) -> String.valueOf(n));
        Gen<String> long_ = SourceDSL.lists().of(Generate.pick(List.of("a", "/", "%", "."))).ofSizeBetween(100, 3000)
                .map(parts -> String.join("", parts));
        return Generate.frequency(List.of(Pair.of(4, Generate.constant(usual)), Pair.of(2, EDGY), Pair.of(2,
                UNICODE), Pair.of(1, numbers), Pair.of(1, long_)));
    }

    /** Any JSON value, up to four levels deep. */
    static Gen<JsonNode> jsonValue() {
        return jsonValue(4);
    }

    private static Gen<JsonNode> jsonValue(int depth) {
        Gen<JsonNode> leaf = Generate.frequency(List.of(Pair.of(1, Generate.constant(NODES.nullNode())), Pair.of(1,
                SourceDSL.booleans().all().map((Boolean b) -> NODES.booleanNode(b))),
                Pair.of(2, SourceDSL.longs().all().map((Long n) -> NODES.numberNode(n))),
                Pair.of(2, SourceDSL.doubles().any().map((Double d) -> NODES.numberNode(d))), Pair.of(1,
                        SourceDSL.bigDecimals().ofBytes(12).withScale(6)
                                .map((java.math.BigDecimal d) -> NODES.numberNode(d))),
                Pair.of(3,
                        Generate.oneOf(EDGY, UNICODE).map((String t) -> NODES.textNode(t)))));
        if (depth == 0) {
            return leaf;
        }
        Gen<JsonNode> inner = jsonValue(depth - 1);
        Gen<String> names = Generate.oneOf(EDGY, UNICODE, Generate.pick(List.of("task", "id", "text", "label",
                "labels", "name")));
        Gen<JsonNode> array = SourceDSL.lists().of(inner).ofSizeBetween(0, 4)
                .map((List<JsonNode> items) -> array(items));
        Gen<JsonNode> object = SourceDSL.lists().of(names.zip(inner, Pair::of)).ofSizeBetween(0, 4).map(
                fields -> {
                    ObjectNode o = NODES.objectNode();
                    fields.forEach(f -> o.set(f._1, f._2));
                    return o;
                });
        return Generate.frequency(List.of(Pair.of(2, leaf), Pair.of(1, array), Pair.of(1, object)));
    }

    /**
     * A body for an operation whose valid form is {@code example} (null: none known): mostly the example with one to
     * three of its fields changed, else any JSON, deep nesting, a large document, truncated or non-UTF-8 bytes.
     */
    static Gen<byte[]> body(JsonNode example) {
        Gen<byte[]> mutated = example == null || !example.isObject()
                ? jsonValue().map((JsonNode n) -> bytes(n))
                : SourceDSL.lists().of(mutation(example)).ofSizeBetween(1, 3).zip(SourceDSL.booleans().all(), (
                        changes, asArray) -> {
                    ObjectNode copy = example.deepCopy();
                    changes.forEach(c -> c.accept(copy));
                    return bytes(asArray ? array(List.of(copy)) : copy);
                });
        Gen<byte[]> deep = Generate.range(1, 5000).zip(Generate.pick(List.of("[", "{\"a\":")), (depth,
                open) -> (open.repeat(depth) + "1" + (open.equals("[") ? "]" : "}").repeat(depth)).getBytes(
                        StandardCharsets.UTF_8));
        Gen<byte[]> large = Generate.range(10_000, 300_000).map(n -> bytes(example != null && example.isObject()
                ? ((ObjectNode) example.deepCopy()).put("text", "x".repeat(n))
                : NODES.textNode("x".repeat(n))));
        Gen<byte[]> truncated = mutated.zip(SourceDSL.doubles().fromZeroToOne(), (b, share) -> Arrays.copyOf(b,
                (int) (b.length * share)));
        Gen<byte[]> raw = anyBytes(0, 200);
        return Generate.frequency(List.of(Pair.of(8, mutated), Pair.of(3, jsonValue().map((JsonNode n) -> bytes(n))),
                Pair
                        .of(1, deep),
                Pair.of(1, large), Pair.of(2, truncated), Pair.of(2, raw),
                Pair.of(1, Generate
                        .constant(() -> new byte[0]))));
    }

    /** A record for a topic whose valid records look like {@code sample} (null: none seen). */
    static Gen<byte[]> record(byte[] sample, JsonNode jsonSample) {
        Gen<byte[]> json = body(jsonSample);
        if (sample == null || sample.length == 0) {
            return json;
        }
        Gen<byte[]> truncated = Generate.range(0, sample.length - 1).map(n -> Arrays.copyOf(sample, n));
        Gen<byte[]> flipped = SourceDSL.lists().of(Generate.range(0, sample.length * 8 - 1)).ofSizeBetween(1, 8).map(
                bits -> {
                    byte[] b = sample.clone();
                    bits.forEach(bit -> b[bit / 8] ^= (byte) (1 << (bit % 8)));
                    return b;
                });
        Gen<byte[]> appended = anyBytes(1, 64).map(tail -> {
            byte[] b = Arrays.copyOf(sample, sample.length + tail.length);
            System.arraycopy(tail, 0, b, sample.length, tail.length);
            return b;
        });
        return Generate.frequency(List.of(Pair.of(3, truncated), Pair.of(3, flipped), Pair.of(1, appended), Pair.of(3,
                json)));
    }

    private static Gen<byte[]> anyBytes(int min, int max) {
        return Generate.byteArrays(Generate.range(min, max), Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE,
                (byte) 0));
    }

    /** A change to one field of an example: another type, removed, null, or a field it does not have. */
    private static Gen<Consumer<ObjectNode>> mutation(JsonNode example) {
        List<String> fields = new ArrayList<>();
        for (Iterator<String> it = example.fieldNames(); it.hasNext();) {
            fields.add(it.next());
        }
        Gen<String> field = Generate.pick(fields.isEmpty() ? List.of("x") : fields);
        return field.zip(jsonValue(), Generate.range(0, 3), (name, value, kind) -> o -> {
            switch (kind) {
                case 0 -> o.set(name, value);
                case 1 -> o.remove(name);
                case 2 -> o.putNull(name);
                default -> o.set(name + "_" + Integer.toHexString(value.hashCode()), value);
            }
        });
    }

    private static ArrayNode array(List<? extends JsonNode> items) {
        ArrayNode a = NODES.arrayNode();
        items.forEach(a::add);
        return a;
    }

    static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
