package io.finetide.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class OpenApiContractTest {

    @Path("/api/v1/things")
    static class Things {
        @GET
        @Path("{id: [a-z]+}/")
        public String one() {
            return "";
        }

        @POST
        public String add() {
            return "";
        }
    }

    static final String DOCUMENTED = """
            {"paths": {"/api/v1/things/{id}": {"get": {"summary": "One thing",
                "responses": {"404": {"content": {"application/json": {}}}}}},
              "/api/v1/things": {"post": {"summary": "Adds a thing", "security": [{"apiKey": []}],
                "responses": {"4XX": {"content": {"application/json": {}}}}}}}}""";

    final List<OpenApiContract.Endpoint> endpoints = OpenApiContract.endpoints(Things.class).stream().filter(
            e -> e.javaMethod().getDeclaringClass() == Things.class).toList();

    @Test
    void findsTheEndpointsOfTheCodeWithOpenApiPaths() {
        assertThat(endpoints).extracting(e -> e.method() + " " + e.path()).containsExactlyInAnyOrder(
                "get /api/v1/things/{id}", "post /api/v1/things");
    }

    @Test
    void aFullyDocumentedServiceHasNoProblems() throws Exception {
        assertThat(OpenApiContract.problems(json(DOCUMENTED), endpoints, m -> m.getName().equals("add"))).isEmpty();
    }

    @Test
    void namesEachShortcoming() throws Exception {
        String lacking = """
                {"paths": {"/api/v1/things/{id}": {"get": {"responses": {"200": {}}}}}}""";
        assertThat(OpenApiContract.problems(json(lacking), endpoints, m -> m.getName().equals("add")))
                .containsExactlyInAnyOrder(
                        "GET /api/v1/things/{id} (Things.one): no summary (@Operation(summary = ...))",
                        "GET /api/v1/things/{id} (Things.one): no 4xx answer with a body",
                        "POST /api/v1/things (Things.add): not in the document (its paths: [/api/v1/things/{id}])");
    }

    @Test
    void aKeyTheDocumentDoesNotMentionIsAProblem() throws Exception {
        assertThat(OpenApiContract.problems(json(DOCUMENTED), endpoints, m -> true)).containsExactly(
                "GET /api/v1/things/{id} (Things.one): needs a key, but the document does not say so");
    }

    private static JsonNode json(String s) throws Exception {
        return new ObjectMapper().readTree(s);
    }
}
