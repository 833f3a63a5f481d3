package io.finetide.launcher.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * The campaign's inputs, drawn from jqwik's generators (with their edge cases: empty, extremes, the odd Unicode
 * code points), reproducibly from a seed ({@link Draws}): random JSON, a valid example with some of its fields given
 * the wrong type, removed or joined by others (grammar-based), documents nested thousands deep, large ones, truncated
 * text, bytes that are not UTF-8; and for topics, a real record of the topic truncated or with bits flipped.
 */
final class FuzzInputs {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Texts that break naive code: control and format characters, lone surrogates, paths, injection, numbers. */
    private static final Arbitrary<String> EDGY = Arbitraries.of("", " ", "\u0000", "\uFEFF", "\uD800", "\uDFFF",
            "\uD835\uDD4F", "e\u0301", "\u202E", "..", "../../etc/passwd", "%", "%00", "%2F", "null", "true", "-1",
            "0", "1e309", "NaN", "-0", "9223372036854775808", "<script>", "' OR 1=1 --", "{}", "[]", "{{", "\\",
            "a/b", "?x=1", "#", "\t\n\r");
    private static final Arbitrary<String> UNICODE = Arbitraries.strings().all().ofMaxLength(64);

    private FuzzInputs() {
    }

    /**
     * Draws from arbitraries outside a jqwik property, the way jqwik's own {@code sampleStream()} does (which runs
     * the generators in the context they need), from one seeded source on the calling thread: the same seed draws
     * the same inputs again.
     */
    static final class Draws {
        private final java.util.Map<Arbitrary<?>, Iterator<?>> streams = new java.util.IdentityHashMap<>();

        Draws(long seed) {
            // jqwik's samples come from the current thread's source of randomness; seeding it makes them repeatable.
            net.jqwik.engine.SourceOfRandomness.create(Long.toString(seed));
        }

        @SuppressWarnings("unchecked")
        <T> T next(Arbitrary<T> arbitrary) {
            return (T) streams.computeIfAbsent(arbitrary, a -> a.sampleStream().iterator()).next();
        }
    }

    /** A path or query value: mostly {@code usual} (so that the call reaches the code behind it), else anything. */
    static Arbitrary<String> parameter(String usual) {
        Arbitrary<String> numbers = Arbitraries.longs().map(String::valueOf);
        return Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just(usual)), Tuple.of(2, EDGY), Tuple.of(2,
                UNICODE), Tuple.of(1, numbers),
                Tuple.of(1, Arbitraries.strings().withChars("a/%.").ofMinLength(
                        100).ofMaxLength(3000)));
    }

    /** Any JSON value, up to four levels deep. */
    static Arbitrary<JsonNode> jsonValue() {
        Arbitrary<JsonNode> leaf = Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(NODES.nullNode())), Tuple
                .of(1, Arbitraries.of(true, false).map(NODES::booleanNode)),
                Tuple.of(2, Arbitraries.longs().map(
                        NODES::numberNode)),
                Tuple.of(2, Arbitraries.doubles().map(NODES::numberNode)), Tuple.of(1,
                        Arbitraries.bigDecimals().map(NODES::numberNode)),
                Tuple.of(3, Arbitraries.oneOf(
                        EDGY, UNICODE).map(NODES::textNode)));
        return Arbitraries.recursive(() -> leaf, inner -> Arbitraries.oneOf(inner.list().ofMaxSize(4).map(
                FuzzInputs::array),
                Arbitraries.maps(Arbitraries.oneOf(EDGY, UNICODE, Arbitraries.of("task", "id",
                        "text", "label", "labels", "name")), inner).ofMaxSize(4).map(m -> {
                            ObjectNode o = NODES.objectNode();
                            m.forEach(o::set);
                            return o;
                        })),
                0, 4);
    }

    /**
     * A body for an operation whose valid form is {@code example} (null: none known): mostly the example with one to
     * three of its fields changed, else any JSON, deep nesting, a large document, truncated or non-UTF-8 bytes.
     */
    static Arbitrary<byte[]> body(JsonNode example) {
        Arbitrary<byte[]> mutated = example == null || !example.isObject()
                ? jsonValue().map(FuzzInputs::bytes)
                : Combinators.combine(mutation(example).list().ofMinSize(1).ofMaxSize(3), Arbitraries.of(false,
                        true)).as((changes, asArray) -> {
                            ObjectNode copy = example.deepCopy();
                            changes.forEach(c -> c.accept(copy));
                            return bytes(asArray ? array(List.of(copy)) : copy);
                        });
        Arbitrary<byte[]> deep = Combinators.combine(Arbitraries.integers().between(1, 5000), Arbitraries.of("[",
                "{\"a\":")).as(
                        (depth, open) -> (open.repeat(depth) + "1" + (open.equals("[") ? "]" : "}").repeat(
                                depth)).getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> large = Arbitraries.integers().between(10_000, 300_000).map(n -> bytes(example != null
                && example.isObject()
                        ? ((ObjectNode) example.deepCopy()).put("text", "x".repeat(n))
                        : NODES.textNode("x".repeat(n))));
        Arbitrary<byte[]> truncated = Combinators.combine(mutated, Arbitraries.doubles().between(0, 1)).as((b,
                share) -> java.util.Arrays.copyOf(b, (int) (b.length * share)));
        Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
        return Arbitraries.frequencyOf(Tuple.of(8, mutated), Tuple.of(3, jsonValue().map(FuzzInputs::bytes)), Tuple
                .of(1, deep), Tuple.of(1, large), Tuple.of(2, truncated), Tuple.of(2, raw),
                Tuple.of(1, Arbitraries
                        .just(new byte[0])));
    }

    /** A record for a topic whose valid records look like {@code sample} (null: none seen). */
    static Arbitrary<byte[]> record(byte[] sample, JsonNode jsonSample) {
        Arbitrary<byte[]> json = body(jsonSample);
        if (sample == null || sample.length == 0) {
            return json;
        }
        Arbitrary<byte[]> truncated = Arbitraries.integers().between(0, sample.length - 1).map(n -> java.util.Arrays
                .copyOf(sample, n));
        Arbitrary<byte[]> flipped = Arbitraries.integers().between(0, sample.length * 8 - 1).list().ofMinSize(1)
                .ofMaxSize(8).map(bits -> {
                    byte[] b = sample.clone();
                    bits.forEach(bit -> b[bit / 8] ^= (byte) (1 << (bit % 8)));
                    return b;
                });
        Arbitrary<byte[]> appended = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(64).map(tail -> {
            byte[] b = java.util.Arrays.copyOf(sample, sample.length + tail.length);
            System.arraycopy(tail, 0, b, sample.length, tail.length);
            return b;
        });
        return Arbitraries.frequencyOf(Tuple.of(3, truncated), Tuple.of(3, flipped), Tuple.of(1, appended), Tuple
                .of(3, json));
    }

    /** A change to one field of an example: another type, removed, null, or a field it does not have. */
    private static Arbitrary<java.util.function.Consumer<ObjectNode>> mutation(JsonNode example) {
        List<String> fields = new ArrayList<>();
        for (Iterator<String> it = example.fieldNames(); it.hasNext();) {
            fields.add(it.next());
        }
        Arbitrary<String> field = fields.isEmpty() ? Arbitraries.of("x") : Arbitraries.of(fields);
        return Combinators.combine(field, jsonValue(), Arbitraries.integers().between(0, 3)).as((name, value,
                kind) -> o -> {
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
