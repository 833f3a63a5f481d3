package io.finetide.launcher.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class FuzzInputsTest {

    static final JsonNode EXAMPLE = json(
            "{\"task\": \"fuzz\", \"id\": \"e-1\", \"text\": \"fine\", \"label\": \"positive\"}");

    @Test
    void aSeedDrawsTheSameInputsAgain() {
        assertThat(draw(1, 300)).zipSatisfy(draw(1, 300), (a, b) -> assertThat(a).isEqualTo(b));
        assertThat(draw(1, 300).stream().map(Arrays::toString).toList()).isNotEqualTo(draw(2, 300).stream().map(
                Arrays::toString).toList());
    }

    @Test
    void bodiesSpanValidNearlyValidAndBroken() {
        List<byte[]> bodies = draw(7, 3000);
        long parsable = bodies.stream().filter(b -> parses(b) != null).count();
        long exampleLike = bodies.stream().map(FuzzInputsTest::parses).filter(n -> n != null && n.isObject() && n
                .has("task") && n.has("text")).count();
        long notUtf8 = bodies.stream().filter(b -> !utf8(b)).count();
        long deep = bodies.stream().filter(b -> new String(b, StandardCharsets.UTF_8).startsWith("[[[[[[[[[[")).count();
        long empty = bodies.stream().filter(b -> b.length == 0).count();
        long large = bodies.stream().filter(b -> b.length > 10_000).count();
        assertThat(parsable).isBetween(1000L, 2900L);
        assertThat(exampleLike).isGreaterThan(300);
        assertThat(notUtf8).isGreaterThan(20);
        assertThat(deep).isGreaterThan(10);
        assertThat(empty).isGreaterThan(10);
        assertThat(large).isGreaterThan(10);
    }

    @Test
    void recordsOfATopicAreMostlyItsRealRecordDamaged() {
        byte[] sample = "\n\u0004fuzz\u0012\u0003e-1\u001a\u0004fine".getBytes(StandardCharsets.UTF_8);
        FuzzInputs.Draws draws = new FuzzInputs.Draws(3);
        var generator = FuzzInputs.record(sample, EXAMPLE);
        List<byte[]> records = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            records.add(draws.next(generator));
        }
        long truncated = records.stream().filter(r -> r.length < sample.length && Arrays.equals(r, Arrays.copyOf(
                sample, r.length))).count();
        long sameLengthChanged = records.stream().filter(r -> r.length == sample.length && !Arrays.equals(r, sample))
                .count();
        assertThat(truncated).isGreaterThan(150);
        assertThat(sameLengthChanged).isGreaterThan(150);
    }

    @Test
    void parametersAreOftenTheRealValueSoThatCallsReachTheCodeBehindIt() {
        FuzzInputs.Draws draws = new FuzzInputs.Draws(5);
        var generator = FuzzInputs.parameter("fuzz-task");
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            values.add(draws.next(generator));
        }
        // Weighted 4 in 10: a theory's habit of skipping values it has tried must not make it one in a batch.
        assertThat(values.stream().filter("fuzz-task"::equals).count()).isBetween(600L, 1000L);
        assertThat(values.stream().filter(v -> v.length() >= 100).count()).isGreaterThan(100);
        assertThat(values.stream().distinct().count()).isGreaterThan(700);
    }

    static List<byte[]> draw(long seed, int n) {
        FuzzInputs.Draws draws = new FuzzInputs.Draws(seed);
        var generator = FuzzInputs.body(EXAMPLE);
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(draws.next(generator));
        }
        return out;
    }

    static JsonNode parses(byte[] b) {
        try {
            return new ObjectMapper().readTree(b);
        } catch (Exception e) {
            return null;
        }
    }

    static boolean utf8(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    static JsonNode json(String s) {
        try {
            return new ObjectMapper().readTree(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
