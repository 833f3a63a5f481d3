package io.finetide.platform.store;

import java.util.Set;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoException;
import com.mongodb.MongoSecurityException;
import com.mongodb.MongoServerException;
import com.mongodb.MongoWriteException;

/**
 * Retries a unit of work when the store fails transiently (a busy SQLite file under FerretDB, a primary election on
 * MongoDB, a dropped connection). Only for idempotent work: every handler in Finetide is, because each write is keyed
 * by a unique id. After the last attempt the failure propagates, and the consumer's dead-letter strategy keeps the
 * record.
 */
public final class StoreRetry {

    private static final Logger LOG = LoggerFactory.getLogger(StoreRetry.class);
    public static final int MAX_ATTEMPTS = 8;
    private static final long FIRST_DELAY_MS = 100;
    private static final long MAX_DELAY_MS = 5000;

    private StoreRetry() {
    }

    public static void run(Runnable work) {
        call(() -> {
            work.run();
            return null;
        });
    }

    public static <T> T call(Supplier<T> work) {
        long delay = FIRST_DELAY_MS;
        for (int attempt = 1;; attempt++) {
            try {
                return work.get();
            } catch (MongoException e) {
                if (attempt >= MAX_ATTEMPTS || permanent(e)) {
                    throw e;
                }
                LOG.warn("store failed (attempt {} of {}), retrying in {} ms: {}", attempt, MAX_ATTEMPTS, delay,
                        e.getMessage());
                try {
                    Thread.sleep(delay); // back-off before retrying an idempotent unit of work
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                delay = Math.min(MAX_DELAY_MS, delay * 2);
            }
        }
    }

    /**
     * Whether {@code e} is the store failing (rather than the work itself): such a failure should reach the
     * consumer, which retries the whole idempotent unit or dead-letters it, instead of being recorded as the work's
     * own outcome.
     */
    public static boolean isStoreFailure(Throwable e) {
        return e instanceof MongoException;
    }

    /**
     * The server's answers that the same request will get again, whatever the wait: a malformed query or update, a
     * document the server refuses, no permission. Retrying them only delays the refusal (eight attempts, 10 s).
     * FerretDB answers some such requests with {@code InternalError} (code 1), which stays retried: MongoDB uses it
     * for transient failures too.
     */
    static final Set<Integer> DETERMINISTIC = Set.of(2 /* BadValue */, 9 /* FailedToParse */, 13 /* Unauthorized */,
            14 /* TypeMismatch */, 17 /* InvalidLength */, 18 /* AuthenticationFailed */,
            40 /* ConflictingUpdateOperators */, 52 /* DollarPrefixedFieldName */, 55 /* InvalidDBRef */,
            56 /* EmptyFieldName */, 57 /* DottedFieldName */, 59 /* CommandNotFound */, 66 /* ImmutableField */,
            73 /* InvalidNamespace */, 121 /* DocumentValidationFailure */, 10334 /* BSONObjectTooLarge */,
            17419 /* document too large to insert */);

    static boolean permanent(MongoException e) {
        return e instanceof MongoSecurityException || (e instanceof MongoWriteException w
                && w.getError().getCategory() == ErrorCategory.DUPLICATE_KEY)
                || (e instanceof MongoServerException
                        && DETERMINISTIC.contains(e.getCode()));
    }
}
