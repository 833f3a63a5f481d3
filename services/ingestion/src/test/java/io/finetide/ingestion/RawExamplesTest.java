package io.finetide.ingestion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.finetide.ingestion.intake.RawExamples;
import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.proto.v1.RawExampleEvent;

class RawExamplesTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ReasonCode reasonOf(byte[] value, String contentType) {
        try {
            RawExamples.decode(value, contentType);
        } catch (RejectedException e) {
            return e.reason();
        }
        throw new AssertionError("expected a rejection");
    }

    @Test
    void decodesJsonWithOptionalFields() {
        RawExampleEvent e = RawExamples.decode(
                utf8("{\"id\":\"a1\",\"task\":\"t\",\"text\":\"hé\",\"label\":\"pos\",\"metadata\":{\"src\":\"web\"}}"),
                null);
        assertThat(e.getId()).isEqualTo("a1");
        assertThat(e.getText()).isEqualTo("hé");
        assertThat(e.getLabel()).isEqualTo("pos");
        assertThat(e.getMetadataMap()).containsEntry("src", "web");
        assertThat(e.getSchemaVersion()).isEqualTo(1);
    }

    @Test
    void decodesProtobufByContentType() {
        byte[] bytes = RawExampleEvent.newBuilder().setId("p1").setTask("t").setText("x").build().toByteArray();
        RawExampleEvent e = RawExamples.decode(bytes, "application/x-protobuf");
        assertThat(e.getId()).isEqualTo("p1");
        assertThat(e.getSchemaVersion()).isEqualTo(1);
    }

    @Test
    void rejectsEachMalformationWithItsReason() {
        assertThat(reasonOf(utf8("{not json"), null)).isEqualTo(ReasonCode.MALFORMED_PAYLOAD);
        assertThat(reasonOf(utf8("[1,2]"), null)).isEqualTo(ReasonCode.MALFORMED_PAYLOAD);
        assertThat(reasonOf(utf8("{\"task\":\"t\",\"text\":\"x\"}"), null)).isEqualTo(ReasonCode.MISSING_FIELD);
        assertThat(reasonOf(utf8("{\"id\":\"1\",\"text\":\"x\"}"), null)).isEqualTo(ReasonCode.MISSING_FIELD);
        assertThat(reasonOf(utf8("{\"id\":\"1\",\"task\":\"t\"}"), null)).isEqualTo(ReasonCode.MISSING_FIELD);
        assertThat(reasonOf(utf8("{\"id\":1,\"task\":\"t\",\"text\":\"x\"}"), null))
                .isEqualTo(ReasonCode.MALFORMED_PAYLOAD);
        assertThat(reasonOf(utf8("{\"id\":\"1\",\"task\":\"t\",\"text\":\"x\",\"schemaVersion\":9}"), null))
                .isEqualTo(ReasonCode.UNSUPPORTED_SCHEMA_VERSION);
        assertThat(reasonOf(new byte[]{(byte) 0xFF, 0x01}, "application/x-protobuf"))
                .isEqualTo(ReasonCode.MALFORMED_PAYLOAD);
        assertThat(reasonOf(utf8("x"), "text/csv")).isEqualTo(ReasonCode.UNSUPPORTED_CONTENT_TYPE);
        assertThatThrownBy(() -> RawExamples.decode(new byte[0], null)).isInstanceOf(RejectedException.class);
    }

    @Test
    void metadataKeysThatWouldBeFieldPathsAreRefused() {
        for (String key : new String[]{"customer.id", "$where", "a b", "", "x".repeat(65)}) {
            assertThat(reasonOf(utf8("{\"id\":\"1\",\"task\":\"t\",\"text\":\"x\",\"metadata\":{\"" + key
                    + "\":\"v\"}}"), null)).as(key).isEqualTo(ReasonCode.MALFORMED_PAYLOAD);
        }
        byte[] proto = RawExampleEvent.newBuilder().setId("p1").setTask("t").setText("x").putMetadata("a.b", "v")
                .build().toByteArray();
        assertThat(reasonOf(proto, "application/x-protobuf")).isEqualTo(ReasonCode.MALFORMED_PAYLOAD);
        assertThat(RawExamples.decode(utf8("{\"id\":\"1\",\"task\":\"t\",\"text\":\"x\",\"metadata\":"
                + "{\"customer-id_2\":\"c-17\"}}"), null).getMetadataMap()).containsEntry("customer-id_2", "c-17");
    }

    @Test
    void invalidUtf8HasItsOwnReason() {
        assertThat(reasonOf(new byte[]{'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}, null)).isEqualTo(
                ReasonCode.INVALID_UTF8);
    }

    @Test
    void decodesLabelsAndNamesWhatIsMissing() {
        var l = RawExamples.decodeLabel(utf8("{\"task\":\"t\",\"id\":\"a1\",\"label\":\"pos\",\"annotator\":\"ann\"}"),
                null);
        assertThat(l.getTask() + "/" + l.getId() + "=" + l.getLabel() + " by " + l.getAnnotator()).isEqualTo(
                "t/a1=pos by ann");
        assertThat(RawExamples.decodeLabel(io.finetide.proto.v1.RawLabelEvent.newBuilder().setTask("t").setId("a")
                .setLabel("x").build().toByteArray(), "application/x-protobuf").getSchemaVersion()).isEqualTo(1);
        assertThatThrownBy(() -> RawExamples.decodeLabel(utf8("{\"task\":\"t\",\"id\":\"a1\"}"), null))
                .isInstanceOfSatisfying(RejectedException.class, e -> assertThat(e.getMessage()).contains("'label'"));
        assertThatThrownBy(() -> RawExamples.decodeLabel(utf8("{\"task\":\"t\",\"id\":\"a\",\"label\":\"x\","
                + "\"schemaVersion\":9}"), null)).isInstanceOfSatisfying(RejectedException.class, e -> assertThat(e
                        .reason()).isEqualTo(ReasonCode.UNSUPPORTED_SCHEMA_VERSION));
    }

    @Test
    void tokenExamplesAndTagLabelsDecodeFromJson() {
        RawExampleEvent e = RawExamples.decode(utf8("{\"id\":\"n\",\"task\":\"ner\",\"tokens\":[\"Ann\",\"sang\"],"
                + "\"tags\":[\"B-person\",\"O\"]}"), null);
        org.assertj.core.api.Assertions.assertThat(e.getText()).isEqualTo("Ann sang");
        org.assertj.core.api.Assertions.assertThat(e.getTokensList()).containsExactly("Ann", "sang");
        org.assertj.core.api.Assertions.assertThat(e.getTagsList()).containsExactly("B-person", "O");
        org.assertj.core.api.Assertions.assertThat(reasonOf(utf8("{\"id\":\"n\",\"task\":\"t\",\"tokens\":\"Ann\"}"),
                null)).isEqualTo(ReasonCode.MALFORMED_PAYLOAD);
        org.assertj.core.api.Assertions.assertThat(reasonOf(utf8("{\"id\":\"n\",\"task\":\"t\",\"tokens\":[1]}"),
                null)).isEqualTo(ReasonCode.MALFORMED_PAYLOAD);
        org.assertj.core.api.Assertions.assertThat(reasonOf(utf8("{\"id\":\"n\",\"task\":\"t\"}"), null))
                .isEqualTo(ReasonCode.MISSING_FIELD);
        var label = RawExamples.decodeLabel(utf8("{\"task\":\"ner\",\"id\":\"n\",\"tags\":[\"O\",\"O\"]}"),
                null);
        org.assertj.core.api.Assertions.assertThat(label.getTagsList()).containsExactly("O", "O");
        org.assertj.core.api.Assertions.assertThat(label.getLabel()).isEmpty();
    }
}
