package io.finetide.training.api;

import java.util.List;
import java.util.Optional;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.tasks.Directory;
import io.finetide.runtime.api.ErrorBody;
import io.finetide.runtime.security.Requires;
import io.finetide.training.privacy.PrivacyBudget;
import io.finetide.training.store.PrivacyChargeRecord;
import io.smallrye.common.annotation.Blocking;

/** A private task's privacy budget: what its runs have spent, composed, and each run's charge (docs/PRIVACY.md). */
@Requires
@Path("/api/v1/tasks/{task}/privacy")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class PrivacyResource {

    /** One run's charge, without its secret noise seed. */
    public record Charge(String snapshotId, String modelId, double epsilon, double noiseMultiplier,
            double samplingRate, long steps, double clipNorm, long chargedAtMs) {
        static Charge of(PrivacyChargeRecord r) {
            return new Charge(r.snapshotId(), r.modelId(), r.epsilon(), r.noiseMultiplier(), r.samplingRate(), r
                    .steps(), r.clipNorm(), r.chargedAtMs());
        }
    }

    /**
     * @param epsilonSpent all the runs composed at {@code delta}: below the sum of their own ε
     */
    public record Budget(String task, double epsilonBudget, double delta, double epsilonSpent,
            double epsilonRemaining, List<Charge> runs) {
    }

    @Inject
    Directory directory;

    @Inject
    PrivacyBudget budget;

    @Operation(summary = "A private task's ε budget, what its runs have spent, and each run's charge")
    @GET
    public Response get(@PathParam("task") String task) {
        Optional<PrivacyBudget.Standing> standing = directory.tasks().get(task).flatMap(budget::standing);
        if (standing.isEmpty()) {
            return ErrorBody.response(ReasonCode.NOT_FOUND, "task '" + task
                    + "' is unknown or does not train with differential privacy");
        }
        PrivacyBudget.Standing s = standing.get();
        return Response.ok(new Budget(task, s.epsilonBudget(), s.delta(), s.epsilonSpent(), Math.max(0, s
                .epsilonBudget() - s.epsilonSpent()), s.charges().stream().map(Charge::of).toList())).build();
    }
}
