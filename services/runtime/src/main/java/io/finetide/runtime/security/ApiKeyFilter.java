package io.finetide.runtime.security;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.finetide.runtime.metrics.RuntimeMetrics;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Checks the API key of every call to a resource marked {@link Requires}: header {@code Authorization: Bearer <key>}
 * or {@code X-API-Key: <key>}. 401 without a valid key, 403 when the key lacks the role; both counted in
 * {@value RuntimeMetrics#DENIED}{@code {status}}. With no keys configured ({@code finetide.security.api-keys} empty, the local
 * default) every call passes, and the service says so at start.
 */
@Provider
@Priority(Priorities.AUTHENTICATION)
public class ApiKeyFilter implements ContainerRequestFilter {

    private static final Logger LOG = Logger.getLogger(ApiKeyFilter.class);

    @Context
    ResourceInfo resource;

    @Inject
    MeterRegistry registry;

    private final ApiKeys keys;

    @Inject
    public ApiKeyFilter(@ConfigProperty(name = "finetide.security.api-keys") Optional<String> spec) {
        this.keys = ApiKeys.parse(spec.orElse(""));
        if (!keys.enabled()) {
            LOG.warn("no API keys configured (finetide.security.api-keys): the API is open to anyone who can reach it");
        }
    }

    @Override
    public void filter(ContainerRequestContext request) {
        Requires requires = resource.getResourceMethod() == null
                ? null
                : Optional.ofNullable(resource
                        .getResourceMethod().getAnnotation(Requires.class))
                        .orElse(resource.getResourceClass().getAnnotation(
                                Requires.class));
        if (requires == null || !keys.enabled()) {
            return;
        }
        String presented = request.getHeaderString("X-API-Key");
        String auth = request.getHeaderString("Authorization");
        if (presented == null && auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = auth.substring(7).strip();
        }
        Optional<Set<Role>> roles = presented == null ? Optional.empty() : keys.rolesOf(presented);
        if (roles.isEmpty()) {
            deny(request, 401, "UNAUTHENTICATED", "an API key is needed (Authorization: Bearer <key>)");
            return;
        }
        Set<Role> held = roles.get();
        boolean allowed = held.contains(Role.ADMIN) || requires.value().length == 0 || Arrays.stream(requires.value())
                .anyMatch(held::contains);
        if (!allowed) {
            deny(request, 403, "FORBIDDEN", "this key's roles " + held + " do not include any of " + Arrays.toString(
                    requires.value()));
        }
    }

    private void deny(ContainerRequestContext request, int status, String reason, String message) {
        registry.counter(RuntimeMetrics.DENIED, "status", Integer.toString(status)).increment();
        Response.ResponseBuilder r = Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("reason",
                reason, "message", message));
        if (status == 401) {
            r.header("WWW-Authenticate", "Bearer");
        }
        request.abortWith(r.build());
    }
}
