package io.finetide.runtime.audit;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.errors.RejectedException;
import io.finetide.platform.security.Role;
import io.finetide.runtime.api.ListLimit;
import io.finetide.runtime.security.Requires;
import io.finetide.runtime.store.AuditStore;
import io.quarkus.arc.properties.UnlessBuildProperty;
import io.smallrye.common.annotation.Blocking;

/** The service's audit log, newest first: {@code ?actor=&task=&since=<epoch ms>&limit=} (at most 1,000). */
@Path("/api/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
@Requires(value = Role.ADMIN, checksTasksItself = true)
@Blocking
@UnlessBuildProperty(name = "finetide.store.enabled", stringValue = "false", enableIfMissing = true)
public class AuditResource {

    @Inject
    AuditStore store;

    @Inject
    io.finetide.runtime.security.CurrentCaller caller;

    @Operation(summary = "The service's audit log, newest first, by actor, task and time")
    @GET
    public List<AuditEntry> entries(@QueryParam("actor") @DefaultValue("") String actor,
            @QueryParam("task") @DefaultValue("") String task, @QueryParam("since") @DefaultValue("0") long since,
            @QueryParam("limit") @DefaultValue(ListLimit.DEFAULT) int limit) {
        ListLimit.checked(limit);
        // A key limited to some tasks sees their entries only.
        if (caller.get().limitedToTasks()) {
            if (task.isEmpty()) {
                throw new RejectedException(ReasonCode.TASK_NOT_ALLOWED, "a key limited to some tasks reads the "
                        + "audit log of one of them: ?task=");
            }
            caller.requireTask(task);
        }
        return store.find(actor, task, since, limit);
    }
}
