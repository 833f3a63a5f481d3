package io.finetide.deployment.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PredictionIdTest {

    @Test
    void anIdNamesItsModelAndLabelWhateverCharactersTheyHold() {
        PredictionId id = PredictionId.next("bank.complaints-m12", "refund / chargeback é");
        PredictionId parsed = PredictionId.parse(id.encoded()).orElseThrow();
        assertThat(parsed).isEqualTo(id);
        assertThat(parsed.modelId()).isEqualTo("bank.complaints-m12");
        assertThat(parsed.label()).isEqualTo("refund / chargeback é");
        assertThat(id.nonce()).hasSize(12);
        assertThat(PredictionId.next("m", "x").nonce()).isNotEqualTo(PredictionId.next("m", "x").nonce());
    }

    @Test
    void whatTheServiceNeverGaveIsNotAnId() {
        assertThat(PredictionId.parse(null)).isEmpty();
        assertThat(PredictionId.parse("")).isEmpty();
        assertThat(PredictionId.parse("not-an-id")).isEmpty();
        assertThat(PredictionId.parse("m1.cG9z.0123456789ab")).isPresent();
        assertThat(PredictionId.parse("m1.cG9z.0123456789")).as("a short nonce").isEmpty();
        assertThat(PredictionId.parse("m1.cG9z.0123456789zz")).as("not hex").isEmpty();
        assertThat(PredictionId.parse("m1..0123456789ab")).as("no label").isEmpty();
        assertThat(PredictionId.parse(".cG9z.0123456789ab")).as("no model").isEmpty();
        assertThat(PredictionId.parse("m1.!!!.0123456789ab")).as("not base64url").isEmpty();
    }
}
