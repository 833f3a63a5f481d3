package io.finetide.runtime.security;

import java.util.Arrays;
import java.util.Optional;

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

import io.finetide.platform.security.ApiKeys;
import io.finetide.platform.security.Caller;
import io.finetide.platform.security.KeyRing;
import io.finetide.runtime.api.HttpRefusals;
import io.finetide.runtime.metrics.RuntimeMetrics;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Checks the API key of every call to a resource marked {@link Requires}: header {@code Authorization: Bearer <key>}
 * or {@code X-API-Key: <key>}. 401 without a valid key, 403 when the key lacks the role or is limited to other tasks
 * (reason {@code TASK_NOT_ALLOWED}); the caller is then {@link CurrentCaller} for the resource; both counted in
 * {@value RuntimeMetrics#DENIED}{@code {status}}. With no keys configured ({@code finetide.security.api-keys} empty, the local
 * default) every call passes, and the service says so at start.
 */
@Provider
@Priority(Priorities.AUTHENTICATION)
public class ApiKeyFilter implements ContainerRequestFilter {

    @Context
    ResourceInfo resource;

    @Inject
    MeterRegistry registry;

    @Inject
    KeyRing keys;

    @Inject
    CurrentCaller current;

    @Override
    public void filter(ContainerRequestContext request) {
        Requires requires = resource.getResourceMethod() == null
                ? null
                : Optional.ofNullable(resource
                        .getResourceMethod().getAnnotation(Requires.class))
                        .orElse(resource.getResourceClass().getAnnotation(
                                Requires.class));
        ApiKeys inForce = keys.current();
        if (requires == null || !inForce.enabled()) {
            return;
        }
        String presented = request.getHeaderString("X-API-Key");
        String auth = request.getHeaderString("Authorization");
        if (presented == null && auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = auth.substring(7).strip();
        }
        Optional<Caller> caller = presented == null ? Optional.empty() : inForce.callerOf(presented);
        if (caller.isEmpty()) {
            deny(request, 401, "UNAUTHENTICATED", "an API key is needed (Authorization: Bearer <key>)");
            return;
        }
        Caller c = caller.get();
        // Known from here on, refused or not (the audit log names who tried).
        current.set(c);
        boolean allowed = requires.value().length == 0 || Arrays.stream(requires.value()).anyMatch(c::has);
        if (!allowed) {
            deny(request, 403, "FORBIDDEN", "the key of '" + c.identity() + "' has the roles " + c.roles()
                    + ", none of " + Arrays.toString(requires.value()));
            return;
        }
        if (c.limitedToTasks() && !requires.checksTasksItself()) {
            String task = request.getUriInfo().getPathParameters().getFirst(requires.taskParam());
            if (task == null) {
                deny(request, 403, "TASK_NOT_ALLOWED", "the key of '" + c.identity() + "' is limited to some tasks, "
                        + "and this call is not about one task");
                return;
            }
            if (!c.mayUse(task)) {
                deny(request, 403, "TASK_NOT_ALLOWED", "the key of '" + c.identity() + "' is limited to the tasks "
                        + new java.util.TreeSet<>(c.tasks()) + ", not '" + task + "'");
                return;
            }
        }
    }

    private void deny(ContainerRequestContext request, int status, String reason, String message) {
        registry.counter(RuntimeMetrics.DENIED, "status", Integer.toString(status)).increment();
        Response.ResponseBuilder r = Response.status(status).type(MediaType.APPLICATION_JSON).entity(HttpRefusals.body(
                request.getUriInfo().getPath(), reason, message));
        if (status == 401) {
            r.header("WWW-Authenticate", "Bearer");
        }
        request.abortWith(r.build());
    }
}
