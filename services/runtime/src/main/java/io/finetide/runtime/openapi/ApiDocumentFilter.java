package io.finetide.runtime.openapi;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.security.Role;
import io.finetide.runtime.security.Requires;
import io.quarkus.smallrye.openapi.OpenApiFilter;

/**
 * What every service's OpenAPI document ({@code /q/openapi}) says the same way, taken from the code rather than
 * repeated on each method: the error body every refusal carries, the API-key schemes, and which operations need a
 * key, read from {@link Requires} (the one place the filter enforces it). Runs at start, where the resource classes
 * can be loaded: operations are named {@code package.Class_method} by the scanner
 * ({@code operation-id-strategy=package-class-method}) so that each can be traced to its method, and are then given
 * the short {@code Class_method} a client generator uses.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.RUNTIME_STARTUP)
public class ApiDocumentFilter implements OASFilter {

    public static final String ERROR_BODY = "ErrorBody";
    public static final String API_KEY_SCHEME = "apiKey";
    public static final String BEARER_SCHEME = "bearer";
    /** The operation's roles, as an extension: who may call it. */
    public static final String ROLES_EXTENSION = "x-finetide-roles";

    @Override
    public void filterOpenAPI(OpenAPI api) {
        if (api.getComponents() == null) {
            api.setComponents(OASFactory.createComponents());
        }
        api.getComponents().addSchema(ERROR_BODY, errorBody());
        api.getComponents().addSecurityScheme(API_KEY_SCHEME, OASFactory.createSecurityScheme().type(
                SecurityScheme.Type.APIKEY).in(SecurityScheme.In.HEADER).name("X-API-Key").description(
                        "An API key of finetide.security.api-keys or its key file"));
        api.getComponents().addSecurityScheme(BEARER_SCHEME, OASFactory.createSecurityScheme().type(
                SecurityScheme.Type.HTTP).scheme("bearer").description("The same API key as a bearer token"));
        if (api.getPaths() == null) {
            return;
        }
        for (PathItem item : api.getPaths().getPathItems().values()) {
            for (Operation op : item.getOperations().values()) {
                document(op);
            }
        }
    }

    private static void document(Operation op) {
        Optional<Method> method = method(op.getOperationId());
        method.ifPresent(m -> op.setOperationId(m.getDeclaringClass().getSimpleName() + "_" + m.getName()));
        if (op.getResponses() == null) {
            op.setResponses(OASFactory.createAPIResponses());
        }
        APIResponses responses = op.getResponses();
        Optional<Requires> requires = method.map(ApiDocumentFilter::requires);
        if (requires.isPresent()) {
            op.setSecurity(List.of(OASFactory.createSecurityRequirement().addScheme(API_KEY_SCHEME),
                    OASFactory.createSecurityRequirement().addScheme(BEARER_SCHEME)));
            List<Role> roles = Arrays.asList(requires.get().value());
            op.addExtension(ROLES_EXTENSION, roles.isEmpty()
                    ? List.of("any")
                    : roles.stream().map(Enum::name)
                            .toList());
            error(responses, "401", "No valid API key (reason UNAUTHENTICATED)");
            error(responses, "403", "The key lacks the role (" + (roles.isEmpty()
                    ? "any"
                    : roles.stream().map(
                            Enum::name).collect(Collectors.joining(", ")))
                    + "; ADMIN may call everything) or is limited to "
                    + "other tasks (reason FORBIDDEN or TASK_NOT_ALLOWED)");
        }
        // Any other refusal; codes documented on the method keep their own description and body.
        error(responses, "4XX", "Refused: the reason code and a message saying why");
    }

    private static void error(APIResponses responses, String code, String description) {
        if (responses.hasAPIResponse(code)) {
            var existing = responses.getAPIResponse(code);
            if (existing.getContent() == null || existing.getContent().getMediaTypes().isEmpty()) {
                existing.setContent(errorContent());
            }
            return;
        }
        responses.addAPIResponse(code, OASFactory.createAPIResponse().description(description).content(
                errorContent()));
    }

    private static Content errorContent() {
        return OASFactory.createContent().addMediaType("application/json", OASFactory.createMediaType().schema(
                OASFactory.createSchema().ref(ERROR_BODY)));
    }

    private static Schema errorBody() {
        List<Object> reasons = new java.util.ArrayList<>(Arrays.stream(ReasonCode.values()).map(Enum::name)
                .toList());
        return OASFactory.createSchema().type(List.of(Schema.SchemaType.OBJECT)).description(
                "Every refusal: a reason code a program can act on and a message for a person").addProperty(
                        "reason", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING)).description(
                                "The reason code; among others " + reasons.stream().map(Object::toString).collect(
                                        Collectors.joining(", ")))
                                .examples(List.of("UNKNOWN_TASK")))
                .addProperty("message", OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING)).examples(
                        List.of("no task 'reviews'")))
                .addProperty("problems", OASFactory.createSchema().type(List.of(Schema.SchemaType.ARRAY)).items(
                        OASFactory.createSchema().type(List.of(Schema.SchemaType.STRING))).description(
                                "Every problem found, when there are several (a study's or a task's specification)"))
                .required(List.of("reason", "message"));
    }

    /** The resource method behind {@code package.Class_method}, if it is one. */
    static Optional<Method> method(String operationId) {
        if (operationId == null) {
            return Optional.empty();
        }
        int cut = operationId.lastIndexOf('_');
        if (cut < 0) {
            return Optional.empty();
        }
        try {
            Class<?> type = Class.forName(operationId.substring(0, cut), false, Thread.currentThread()
                    .getContextClassLoader());
            String name = operationId.substring(cut + 1);
            return Arrays.stream(type.getMethods()).filter(m -> m.getName().equals(name)).findFirst();
        } catch (ClassNotFoundException e) {
            return Optional.empty();
        }
    }

    /** Whether a resource method is behind an API key: it or its class carries {@link Requires}. */
    public static boolean needsKey(Method m) {
        return requires(m) != null;
    }

    private static Requires requires(Method m) {
        Requires r = m.getAnnotation(Requires.class);
        return r != null ? r : m.getDeclaringClass().getAnnotation(Requires.class);
    }
}
