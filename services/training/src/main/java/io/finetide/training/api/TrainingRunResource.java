package io.finetide.training.api;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.finetide.runtime.security.Requires;
import io.finetide.training.store.TrainingRunRecord;
import io.finetide.training.store.TrainingRunStore;
import io.smallrye.common.annotation.Blocking;

/** Training runs of a task with their per-epoch history. */
@Requires
@Path("/api/v1/tasks/{task}/training-runs")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class TrainingRunResource {

    @Inject
    TrainingRunStore runs;

    @GET
    public List<TrainingRunRecord> list(@PathParam("task") String task) {
        return runs.forTask(task);
    }
}
