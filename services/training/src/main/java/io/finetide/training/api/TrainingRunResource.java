package io.finetide.training.api;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

import io.finetide.runtime.security.Requires;
import io.finetide.training.runs.LiveRuns;
import io.finetide.training.store.TrainingRunRecord;
import io.finetide.training.store.TrainingRunStore;
import io.smallrye.common.annotation.Blocking;

/**
 * Training runs of a task with their per-epoch history; a run training in this process also tells where it stands
 * ({@code progress}: step, epoch, fraction, examples per second, learning rate, loss, seconds left).
 */
@Requires
@Path("/api/v1/tasks/{task}/training-runs")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class TrainingRunResource {

    @Inject
    TrainingRunStore runs;

    @Inject
    LiveRuns live;

    /** A stored run and, while it trains here, its latest progress (absent otherwise). */
    public record TrainingRun(@JsonUnwrapped TrainingRunRecord run,
            @JsonInclude(JsonInclude.Include.NON_NULL) LiveRuns.Progress progress) {
    }

    @Operation(summary = "The task's training runs, with live progress while one trains here")
    @GET
    public List<TrainingRun> list(@PathParam("task") String task) {
        return runs.forTask(task).stream().map(r -> new TrainingRun(r, r.status().equals(TrainingRunRecord.RUNNING)
                ? live.of(r.modelId()).orElse(null)
                : null)).toList();
    }
}
