package io.finetide.platform.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;

import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.junit.jupiter.api.Test;

import com.mongodb.MongoCommandException;
import com.mongodb.MongoSocketReadException;
import com.mongodb.ServerAddress;

class StoreRetryTest {

    static MongoCommandException answered(int code, String name) {
        return new MongoCommandException(new BsonDocument("ok", new BsonInt32(0)).append("code", new BsonInt32(code))
                .append("codeName", new BsonString(name)).append("errmsg", new BsonString(name)), new ServerAddress());
    }

    @Test
    void aRequestTheServerRefusesAsMalformedIsNotAskedAgain() {
        for (int code : new int[]{2, 9, 14, 52, 57, 121}) {
            AtomicInteger attempts = new AtomicInteger();
            assertThatThrownBy(() -> StoreRetry.call(() -> {
                attempts.incrementAndGet();
                throw answered(code, "refused");
            })).isInstanceOf(MongoCommandException.class);
            assertThat(attempts).as("code " + code).hasValue(1);
        }
    }

    @Test
    void aDroppedConnectionOrAnInternalErrorIsAskedAgain() {
        AtomicInteger attempts = new AtomicInteger();
        assertThat(StoreRetry.call(() -> {
            int n = attempts.incrementAndGet();
            if (n == 1) {
                throw new MongoSocketReadException("connection reset", new ServerAddress());
            }
            if (n == 2) {
                throw answered(1, "InternalError");
            }
            return "done";
        })).isEqualTo("done");
        assertThat(attempts).hasValue(3);
    }
}
