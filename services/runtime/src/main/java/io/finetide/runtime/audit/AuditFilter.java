package io.finetide.runtime.audit;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ResourceInfo;

import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import io.finetide.platform.security.Role;
import io.finetide.runtime.security.CurrentCaller;
import io.finetide.runtime.security.Requires;
import io.quarkus.arc.properties.UnlessBuildProperty;

/**
 * Writes every administrative call to the audit log once it is answered: a call that changes something ({@code POST},
 * {@code PUT}, {@code DELETE}, {@code PATCH}) on a method that requires {@link Role#ADMIN}, refused or not. The actor
 * is the identity of the key ({@code anyone} when no keys are configured).
 */
// A RESTEasy Reactive filter method, given the resource as a parameter: an injected ResourceInfo proxy is gone by the
// time the response of an asynchronous resource (feedback) is filtered.
@jakarta.enterprise.context.ApplicationScoped
@UnlessBuildProperty(name = "finetide.store.enabled", stringValue = "false", enableIfMissing = true)
public class AuditFilter {

    private static final Set<String> CHANGES = Set.of("POST", "PUT", "DELETE", "PATCH");

    @Inject
    CurrentCaller caller;

    @Inject
    AuditReason reason;

    @Inject
    AuditTrail trail;

    @ServerResponseFilter
    public void audit(ContainerRequestContext request, ContainerResponseContext response, ResourceInfo resource) {
        if (!CHANGES.contains(request.getMethod()) || resource.getResourceMethod() == null) {
            return;
        }
        Requires requires = Optional.ofNullable(resource.getResourceMethod().getAnnotation(Requires.class)).orElse(
                resource.getResourceClass().getAnnotation(Requires.class));
        if (requires == null || Arrays.stream(requires.value()).noneMatch(r -> r == Role.ADMIN)) {
            return;
        }
        String task = request.getUriInfo().getPathParameters().getFirst(requires.taskParam());
        String actor = response.getStatus() == 401 ? "unauthenticated" : caller.get().identity();
        AuditEntry entry = new AuditEntry(actor, request.getMethod() + " /" + request.getUriInfo()
                .getPath().replaceFirst("^/", ""), task == null ? "" : task, reason.get(), response.getStatus(),
                System.currentTimeMillis());
        trail.record(entry);
    }
}
