package io.finetide.ingestion;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

import io.finetide.platform.store.ArtifactStore;
import io.finetide.platform.store.BaseModelArtifacts;
import io.finetide.testing.FinetideTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(value = FinetideTestResource.class, restrictToAnnotatedClass = true)
class TaskApiTest {

    @Test
    void createsWithDefaultsIsIdempotentAndRefusesConflicts() {
        String body = "{\"name\":\"reviews\",\"labels\":[\"neg\",\"pos\"]}";
        given().contentType("application/json").body(body).post("/api/v1/tasks").then().statusCode(201)
                .body("name", equalTo("reviews"))
                .body("model.tokenizer", equalTo("minilm-l6"))
                .body("model.baseModel", equalTo("minilm-l6"))
                .body("model.hiddenSize", equalTo(384))
                .body("model.layers", equalTo(6))
                .body("splits.train", equalTo(0.8f))
                .body("triggerMinNewExamples", equalTo(1000))
                .body("revision", equalTo(1))
                .body("preprocessing.cleaning.name", org.hamcrest.Matchers.contains("nfkc", "controls", "markup",
                        "whitespace"))
                .body("preprocessing.truncation", equalTo("HEAD"))
                .body("triggers.debounceMillis", equalTo(2000))
                .body("triggers.minIntervalSeconds", equalTo(60))
                // Counts and times are JSON numbers, not the strings of the canonical proto3 mapping.
                .body("createdAtMs", org.hamcrest.Matchers.instanceOf(Long.class))
                .body("hyperParameters.seed", equalTo(42))
                // The promotion gate's defaults (docs/EVALUATION.md).
                .body("evaluation.policy", equalTo("PLAIN_MARGIN"))
                .body("evaluation.confidence", equalTo(0.95f))
                .body("evaluation.bootstrapResamples", equalTo(1000))
                .body("evaluation.classTolerance", equalTo(0.05f))
                .body("evaluation.sliceMinExamples", equalTo(30))
                .body("evaluation.robustnessExamples", equalTo(200));
        given().contentType("application/json").body(body).post("/api/v1/tasks").then().statusCode(200);
        given().contentType("application/json").body("{\"name\":\"reviews\",\"labels\":[\"a\",\"b\",\"c\"]}")
                .post("/api/v1/tasks").then().statusCode(409).body("reason", equalTo("TASK_CONFLICT"));
        given().get("/api/v1/tasks/reviews").then().statusCode(200).body("labels[1]", equalTo("pos"));
        given().get("/api/v1/tasks/nope").then().statusCode(404);
    }

    @Test
    void changesRaiseTheRevisionAndKeepLabelsAndSplits() {
        given().contentType("application/json").body("{\"name\":\"changing\",\"labels\":[\"neg\",\"pos\"]}")
                .post("/api/v1/tasks").then().statusCode(201).body("revision", equalTo(1));
        String changed = "{\"labels\":[\"neg\",\"pos\"],\"model\":{\"maxSeqLen\":128},"
                + "\"preprocessing\":{\"cleaning\":[{\"name\":\"nfkc\"},{\"name\":\"lowercase\"},"
                + "{\"name\":\"min-length\",\"params\":{\"chars\":\"3\"}}],\"truncation\":\"TAIL\"}}";
        given().contentType("application/json").body(changed).put("/api/v1/tasks/changing").then().statusCode(200)
                .body("revision", equalTo(2)).body("model.maxSeqLen", equalTo(128))
                .body("preprocessing.cleaning[2].params.chars", equalTo("3"));
        // The same change again is no change.
        given().contentType("application/json").body(changed).put("/api/v1/tasks/changing").then().statusCode(200)
                .body("revision", equalTo(2));
        given().get("/api/v1/tasks/changing").then().body("revision", equalTo(2));
        given().contentType("application/json").body("{\"labels\":[\"a\",\"b\"]}").put("/api/v1/tasks/changing")
                .then().statusCode(422).body("message", containsString("labels cannot change"));
        given().contentType("application/json").body("{\"labels\":[\"neg\",\"pos\"],\"preprocessing\":"
                + "{\"cleaning\":[{\"name\":\"stem\"}]}}").put("/api/v1/tasks/changing").then().statusCode(422)
                .body("message", containsString("unknown step 'stem'"));
        given().contentType("application/json").body("{\"labels\":[\"neg\",\"pos\"]}").put("/api/v1/tasks/none")
                .then().statusCode(404).body("reason", equalTo("UNKNOWN_TASK"));
    }

    @Test
    void refusesInvalidTasksWithEveryReason() {
        given().contentType("application/json")
                .body("{\"name\":\"Bad Name\",\"labels\":[\"x\"],\"splits\":{\"train\":0.9,\"validation\":0.2,"
                        + "\"test\":0.1},\"model\":{\"baseModel\":\"random\",\"hiddenSize\":100,\"heads\":3}}")
                .post("/api/v1/tasks").then().statusCode(422)
                .body("reason", equalTo("INVALID_TASK"))
                .body("message", containsString("name must match"))
                .body("message", containsString("at least 2"))
                .body("message", containsString("add up to 1"))
                .body("message", containsString("divisible"));
        given().contentType("application/json")
                .body("{\"name\":\"x\",\"labels\":[\"a\",\"b\"],\"model\":{\"baseModel\":\"gpt9\"}}")
                .post("/api/v1/tasks").then().statusCode(422).body("message", containsString("model.baseModel"));
        given().contentType("application/json").body("{\"name\":\"x\",\"labels\":[\"a\",\"b\"],\"privacy\":"
                + "{\"redactPii\":true,\"piiTypes\":[\"EMAIL\",\"SSN\"]},\"dedup\":{\"nearDuplicateMaxDistance\":40}}")
                .post("/api/v1/tasks").then().statusCode(422)
                .body("message", containsString("privacy.piiTypes: 'SSN'"))
                .body("message", containsString("dedup.nearDuplicateMaxDistance"));
        given().contentType("application/json").body("{\"name\": ").post("/api/v1/tasks").then().statusCode(422)
                .body("reason", equalTo("INVALID_TASK"));
        given().contentType("application/json").body("{\"name\":\"x\",\"labels\":[\"a\",\"b\"],\"evaluation\":"
                + "{\"policy\":\"SUPERIORITY\",\"confidence\":1.5,\"bootstrapResamples\":100,\"sliceKeys\":[\" \"],"
                + "\"floors\":{\"macroF1\":2}}}").post("/api/v1/tasks").then().statusCode(422)
                .body("message", containsString("evaluation.confidence must be in [0.5, 1)"))
                .body("message", containsString("evaluation.bootstrapResamples must be in [1000, 100000]"))
                .body("message", containsString("evaluation.sliceKeys must not hold an empty key"))
                .body("message", containsString("evaluation.floors.macroF1 must be in [0, 1]"));
        given().contentType("application/json").body("{\"name\":\"x\",\"labels\":[\"a\",\"b\"],\"colour\":1}")
                .post("/api/v1/tasks").then().statusCode(422).body("message", containsString("colour"));
    }

    @Test
    void restExamplesAnswerPerItemAndWithReasonCodes() {
        given().contentType("application/json").body("{\"name\":\"rest-task\",\"labels\":[\"a\",\"b\"]}")
                .post("/api/v1/tasks").then().statusCode(201);
        given().contentType("application/json")
                .body("{\"id\":\"1\",\"task\":\"rest-task\",\"text\":\"hello\",\"label\":\"a\"}")
                .post("/api/v1/examples").then().statusCode(200).body("accepted", equalTo(1));
        given().contentType("application/json")
                .body("[{\"id\":\"1\",\"task\":\"rest-task\",\"text\":\"hello\",\"label\":\"a\"},"
                        + "{\"id\":\"2\",\"task\":\"rest-task\",\"text\":\"  \",\"label\":\"a\"},"
                        + "{\"id\":\"3\",\"task\":\"rest-task\",\"text\":\"fine\",\"label\":\"b\"}]")
                .post("/api/v1/examples").then().statusCode(200)
                .body("accepted", equalTo(1)).body("duplicates", equalTo(1)).body("rejected", equalTo(1))
                .body("results[1].reason", equalTo("EMPTY_TEXT"));
        given().contentType("application/json")
                .body("{\"id\":\"9\",\"task\":\"rest-task\",\"text\":\"x\",\"label\":\"zzz\"}")
                .post("/api/v1/examples").then().statusCode(422).body("reason", equalTo("UNKNOWN_LABEL"));
        given().contentType("application/json").body("{\"id\":\"9\",\"task\":\"nope\",\"text\":\"x\"}")
                .post("/api/v1/examples").then().statusCode(422).body("reason", equalTo("UNKNOWN_TASK"));
        given().contentType("application/json").body("{\"task\":\"rest-task\",\"text\":\"x\"}")
                .post("/api/v1/examples").then().statusCode(400).body("reason", equalTo("MISSING_FIELD"));
        given().contentType("application/json").body("{oops").post("/api/v1/examples").then().statusCode(400)
                .body("reason", equalTo("MALFORMED_PAYLOAD"));
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void bgeSmallIsABaseModelWithItsOwnShapeAndTokenizer() {
        given().contentType("application/json").body("{\"name\":\"bge\",\"labels\":[\"neg\",\"pos\"],\"model\":"
                + "{\"baseModel\":\"bge-small\",\"layers\":2}}").post("/api/v1/tasks").then().statusCode(201)
                .body("model.baseModel", equalTo("bge-small")).body("model.tokenizer", equalTo("bge-small"))
                .body("model.layers", equalTo(12)).body("model.hiddenSize", equalTo(384))
                .body("hyperParameters.schedule", equalTo("LINEAR")).body("hyperParameters.classWeighting", equalTo(
                        "UNWEIGHTED"));
        given().contentType("application/json").body("{\"name\":\"cos\",\"labels\":[\"neg\",\"pos\"],"
                + "\"hyperParameters\":{\"schedule\":\"COSINE\",\"labelSmoothing\":0.1}}").post("/api/v1/tasks")
                .then().statusCode(201).body("hyperParameters.schedule", equalTo("COSINE")).body(
                        "hyperParameters.labelSmoothing", equalTo(0.1f));
        given().contentType("application/json").body("{\"name\":\"smooth\",\"labels\":[\"neg\",\"pos\"],"
                + "\"hyperParameters\":{\"labelSmoothing\":0.7}}").post("/api/v1/tasks").then().statusCode(422)
                .body("message", org.hamcrest.Matchers.containsString("labelSmoothing"));
        given().contentType("application/json").body("{\"name\":\"llrd\",\"labels\":[\"neg\",\"pos\"],"
                + "\"hyperParameters\":{\"layerLrDecay\":0.8}}").post("/api/v1/tasks").then().statusCode(201).body(
                        "hyperParameters.layerLrDecay", equalTo(0.8f));
        given().contentType("application/json").body("{\"name\":\"llrd2\",\"labels\":[\"neg\",\"pos\"],"
                + "\"hyperParameters\":{\"layerLrDecay\":1.5}}").post("/api/v1/tasks").then().statusCode(422).body(
                        "message", org.hamcrest.Matchers.containsString("layerLrDecay"));
    }

    @Test
    void anUploadedBaseGivesTheTaskItsShapeAndTokenizer() {
        given().contentType("application/json").body("{\"name\":\"mine\",\"labels\":[\"neg\",\"pos\"],\"model\":"
                + "{\"baseModel\":\"user/absent\"}}").post("/api/v1/tasks").then().statusCode(422).body("message",
                        containsString("model.baseModel 'user/absent' has not been uploaded"));
        // What the training service stores on an upload: the folder with its shape in the metadata, then the
        // tokenizer, which completes it (a folder alone is an upload still going on, or cut short).
        FinetideTestResource.Context ctx = FinetideTestResource.current();
        try (com.mongodb.client.MongoClient client = com.mongodb.client.MongoClients.create(ctx.mongoUri())) {
            ArtifactStore store = new ArtifactStore(client.getDatabase(ctx.artifactsDatabase()));
            store.putOnce(BaseModelArtifacts.folder(
                    "tiny-bert"), new byte[]{1},
                    new org.bson.Document(BaseModelArtifacts.NAME, "tiny-bert").append(
                            BaseModelArtifacts.LAYERS, 2).append(BaseModelArtifacts.HIDDEN_SIZE, 16).append(
                                    BaseModelArtifacts.HEADS, 2)
                            .append(BaseModelArtifacts.FFN_SIZE, 32));
            given().contentType("application/json").body("{\"name\":\"mine\",\"labels\":[\"neg\",\"pos\"],"
                    + "\"model\":{\"baseModel\":\"user/tiny-bert\"}}").post("/api/v1/tasks").then().statusCode(422);
            store.putOnce(BaseModelArtifacts.tokenizer("tiny-bert"), new byte[]{2}, new org.bson.Document());
        }
        given().contentType("application/json").body("{\"name\":\"mine\",\"labels\":[\"neg\",\"pos\"],\"model\":"
                + "{\"baseModel\":\"user/tiny-bert\",\"layers\":6,\"maxSeqLen\":32}}").post("/api/v1/tasks").then()
                .statusCode(201).body("model.baseModel", equalTo("user/tiny-bert")).body("model.tokenizer", equalTo(
                        "user/tiny-bert"))
                .body("model.layers", equalTo(2)).body("model.hiddenSize", equalTo(16))
                .body("model.ffnSize", equalTo(32)).body("model.maxSeqLen", equalTo(32));
    }

    @Test
    void theTaskNamesItsFineTuningStrategyAndOptimizer() {
        given().contentType("application/json").body("{\"name\":\"plain\",\"labels\":[\"neg\",\"pos\"]}").post(
                "/api/v1/tasks").then().statusCode(201).body("hyperParameters.fineTuning.strategy", equalTo("FULL"))
                .body("hyperParameters.optimizer", equalTo("ADAMW")).body(
                        "hyperParameters.gradientAccumulationSteps", equalTo(1));
        given().contentType("application/json").body("{\"name\":\"lora\",\"labels\":[\"neg\",\"pos\"],"
                + "\"hyperParameters\":{\"fineTuning\":{\"strategy\":\"LORA\"},\"optimizer\":\"SGD\","
                + "\"gradientAccumulationSteps\":4}}").post("/api/v1/tasks").then().statusCode(201)
                .body("hyperParameters.fineTuning.loraRank", equalTo(8))
                .body("hyperParameters.fineTuning.loraAlpha", equalTo(16.0f))
                .body("hyperParameters.fineTuning.loraTargets", org.hamcrest.Matchers.contains("QUERY", "VALUE"))
                .body("hyperParameters.momentum", equalTo(0.9f))
                .body("hyperParameters.gradientAccumulationSteps", equalTo(4));
        given().contentType("application/json").body("{\"name\":\"top\",\"labels\":[\"neg\",\"pos\"],"
                + "\"hyperParameters\":{\"fineTuning\":{\"strategy\":\"TOP_LAYERS\",\"topLayers\":2}}}").post(
                        "/api/v1/tasks")
                .then().statusCode(201).body("hyperParameters.fineTuning.topLayers",
                        equalTo(2));
        // MiniLM-L6 has 6 layers; LoRA settings without LoRA; a momentum of 1 never forgets.
        given().contentType("application/json").body("{\"name\":\"bad\",\"labels\":[\"neg\",\"pos\"],"
                + "\"hyperParameters\":{\"fineTuning\":{\"strategy\":\"TOP_LAYERS\",\"topLayers\":7}}}").post(
                        "/api/v1/tasks")
                .then().statusCode(422).body("message", org.hamcrest.Matchers
                        .containsString("hyperParameters.fineTuning.topLayers must be in [1, 6]"));
        given().contentType("application/json").body("{\"name\":\"bad\",\"labels\":[\"neg\",\"pos\"],"
                + "\"hyperParameters\":{\"fineTuning\":{\"loraRank\":4},\"momentum\":1,"
                + "\"gradientAccumulationSteps\":-1}}").post("/api/v1/tasks").then().statusCode(422)
                .body("message", org.hamcrest.Matchers.containsString("lora* settings apply to the LORA strategy"))
                .body("message", org.hamcrest.Matchers.containsString("momentum must be in [0, 1)"))
                .body("message", org.hamcrest.Matchers.containsString("gradientAccumulationSteps"));
        given().contentType("application/json").body("{\"name\":\"bad\",\"labels\":[\"neg\",\"pos\"],"
                + "\"hyperParameters\":{\"fineTuning\":{\"strategy\":\"HALF\"}}}").post("/api/v1/tasks").then()
                .statusCode(422).body("message", org.hamcrest.Matchers.containsString("HALF"));
    }

    @Test
    void anExplicitZeroIsAValueAndALeftOutFieldTheDefault() {
        given().contentType("application/json").body("{\"name\":\"zeros\",\"labels\":[\"neg\",\"pos\"],"
                + "\"hyperParameters\":{\"weightDecay\":0,\"dropout\":0,\"warmupRatio\":0,\"maxGradNorm\":0,"
                + "\"seed\":0,\"optimizer\":\"SGD\",\"momentum\":0}}").post("/api/v1/tasks").then()
                .statusCode(201).body("hyperParameters.weightDecay", equalTo(0.0f))
                .body("hyperParameters.dropout", equalTo(0.0f)).body("hyperParameters.warmupRatio", equalTo(0.0f))
                .body("hyperParameters.maxGradNorm", equalTo(0.0f)).body("hyperParameters.seed", equalTo(0))
                .body("hyperParameters.momentum", equalTo(0.0f));
        given().contentType("application/json").body("{\"name\":\"defaults\",\"labels\":[\"neg\",\"pos\"],"
                + "\"hyperParameters\":{\"optimizer\":\"SGD\"}}").post("/api/v1/tasks").then().statusCode(201)
                .body("hyperParameters.weightDecay", equalTo(0.01f)).body("hyperParameters.dropout", equalTo(0.1f))
                .body("hyperParameters.warmupRatio", equalTo(0.1f)).body("hyperParameters.maxGradNorm", equalTo(1.0f))
                .body("hyperParameters.seed", equalTo(42)).body("hyperParameters.momentum", equalTo(0.9f));
    }
}
