package io.finetide.deployment.openinference;

import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.finetide.platform.security.ApiKeys;
import io.finetide.platform.security.Caller;
import io.finetide.platform.security.KeyRing;
import io.finetide.runtime.metrics.RuntimeMetrics;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * API keys on the gRPC calls, as on the REST ones: metadata {@code x-api-key: <key>} or
 * {@code authorization: Bearer <key>}, any role; UNAUTHENTICATED without a valid key (counted like a 401). The health
 * calls are open, like {@code /v2/health/*}. With no keys configured every call passes.
 */
@ApplicationScoped
public class GrpcApiKeys implements ServerInterceptor {

    private static final Metadata.Key<String> API_KEY = Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
            Metadata.ASCII_STRING_MARSHALLER);
    private static final Set<String> OPEN = Set.of("ServerLive", "ServerReady");

    @Inject
    MeterRegistry registry;

    @Inject
    KeyRing keys;

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
            ServerCallHandler<Q, A> next) {
        ApiKeys inForce = keys.current();
        if (!inForce.enabled() || OPEN.contains(call.getMethodDescriptor().getBareMethodName())) {
            return next.startCall(call, headers);
        }
        String presented = headers.get(API_KEY);
        String auth = headers.get(AUTHORIZATION);
        if (presented == null && auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = auth.substring(7).strip();
        }
        Optional<Caller> caller = presented == null ? Optional.empty() : inForce.callerOf(presented);
        if (caller.isEmpty()) {
            registry.counter(RuntimeMetrics.DENIED, "status", "401").increment();
            call.close(Status.UNAUTHENTICATED.withDescription("an API key is needed (authorization: Bearer <key>)"),
                    new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        if (caller.get().limitedToTasks()) {
            // The model (the task) is in the request message, which an interceptor does not see before the call.
            registry.counter(RuntimeMetrics.DENIED, "status", "403").increment();
            call.close(Status.PERMISSION_DENIED.withDescription("the key of '" + caller.get().identity()
                    + "' is limited to some tasks: use the REST endpoints"), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        return next.startCall(call, headers);
    }
}
