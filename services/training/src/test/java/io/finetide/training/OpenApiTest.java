package io.finetide.training;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.finetide.runtime.audit.AuditResource;
import io.finetide.runtime.openapi.ApiDocumentFilter;
import io.finetide.testing.FinetideTestResource;
import io.finetide.testing.OpenApiContract;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The service's OpenAPI document at /q/openapi documents every endpoint its code serves (OpenApiContract). */
@QuarkusTest
@QuarkusTestResource(value = FinetideTestResource.class, restrictToAnnotatedClass = true)
class OpenApiTest {

    @Test
    void everyEndpointIsDocumented() throws Exception {
        JsonNode document = new ObjectMapper().readTree(given().queryParam("format", "json").get("/q/openapi").then()
                .statusCode(200).extract().asString());

        assertThat(OpenApiContract.problems(document, "training", 14, ApiDocumentFilter::needsKey,
                io.finetide.training.api.StudyResource.class,
                AuditResource.class)).isEmpty();
        assertThat(document.at("/paths/~1api~1v1~1tasks~1{task}~1studies/post/x-finetide-roles").toString())
                .isEqualTo("[\"ADMIN\"]");
        assertThat(document
                .at("/paths/~1api~1v1~1tasks~1{task}~1studies/post/responses/401/content/application~1json/schema/$ref")
                .asText())
                .isEqualTo("#/components/schemas/ErrorBody");
    }
}
