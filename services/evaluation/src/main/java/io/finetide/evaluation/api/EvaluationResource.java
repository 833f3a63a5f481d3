package io.finetide.evaluation.api;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.finetide.evaluation.store.EvaluationReportRecord;
import io.finetide.evaluation.store.EvaluationStore;
import io.finetide.runtime.security.Requires;
import io.smallrye.common.annotation.Blocking;

/** Verdicts on a task's candidates, oldest first; {@code eventJson} holds the full metrics. */
@Requires
@Path("/api/v1/tasks/{task}/evaluations")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class EvaluationResource {

    @Inject
    EvaluationStore store;

    @GET
    public List<EvaluationReportRecord> list(@PathParam("task") String task) {
        return store.forTask(task);
    }
}
