package io.finetide.preprocessing.api;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.finetide.preprocessing.store.DatasetSnapshotRecord;
import io.finetide.preprocessing.store.SnapshotStore;
import io.smallrye.common.annotation.Blocking;

/** Dataset versions of a task, oldest first, with their manifests. */
@Path("/api/v1/tasks/{task}/snapshots")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class SnapshotResource {

    @Inject
    SnapshotStore snapshots;

    @GET
    public List<DatasetSnapshotRecord> list(@PathParam("task") String task) {
        return snapshots.all(task);
    }
}
