package io.finetide.training.api;

import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.finetide.platform.errors.ReasonCode;
import io.finetide.platform.security.Role;
import io.finetide.platform.store.BaseModelRecord;
import io.finetide.runtime.api.ErrorBody;
import io.finetide.runtime.security.Requires;
import io.finetide.training.bases.BaseModels;
import io.smallrye.common.annotation.Blocking;

/**
 * Uploaded base models: {@code PUT /api/v1/base-models/{name}?pooling=cls|mean} with a zipped Hugging Face folder
 * (201 stored, 200 the same archive again, 409 another archive under that name, 422 with the reason when it cannot be
 * read: a missing or misshapen tensor is named); tasks then use {@code "baseModel": "user/<name>"}.
 */
@Requires
@Path("/api/v1/base-models")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class BaseModelResource {

    @Inject
    BaseModels bases;

    @Operation(summary = "Uploads a base model: a zipped Hugging Face folder")
    @PUT
    @Path("/{name}")
    @Consumes({"application/zip", MediaType.APPLICATION_OCTET_STREAM})
    @Requires(Role.ADMIN)
    public Response upload(@PathParam("name") String name, @QueryParam("pooling") @DefaultValue("cls") String pooling,
            byte[] body) {
        if (body == null || body.length == 0) {
            return ErrorBody.response(ReasonCode.MISSING_FIELD,
                    "the body must be a zip of config.json, model.safetensors and "
                            + "tokenizer.json");
        }
        try {
            BaseModels.Stored stored = bases.upload(name, body, pooling);
            return Response.status(stored.created() ? 201 : 200).entity(stored.description()).build();
        } catch (BaseModels.ConflictException e) {
            return ErrorBody.response(ReasonCode.BASE_MODEL_CONFLICT, e.getMessage());
        } catch (IllegalArgumentException e) {
            return ErrorBody.response(ReasonCode.INVALID_BASE_MODEL, e.getMessage());
        }
    }

    @Operation(summary = "The uploaded base models")
    @GET
    public List<BaseModelRecord> list() {
        return bases.all();
    }

    @Operation(summary = "One uploaded base model")
    @GET
    @Path("/{name}")
    public Response get(@PathParam("name") String name) {
        return bases.find(name).map(d -> Response.ok(d).build()).orElse(ErrorBody.response(ReasonCode.NOT_FOUND,
                "no base model '" + name + "'"));
    }
}
