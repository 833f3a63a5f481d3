package io.finetide.ingestion;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.finetide.ingestion.privacy.PiiRedactor;
import io.finetide.platform.privacy.PiiType;

class PiiRedactorTest {

    private static final PiiRedactor ALL = PiiRedactor.of(List.of());

    private static String redact(String text) {
        return ALL.redact(text).text();
    }

    @Test
    void emailAddresses() {
        assertThat(redact("write to jane.doe+bank@example.co.uk today")).isEqualTo("write to [EMAIL] today");
        assertThat(redact("a@b.io, x_y@mail-server.example.org.")).isEqualTo("[EMAIL], [EMAIL].");
        assertThat(redact("not an address: @handle and foo@bar")).isEqualTo("not an address: @handle and foo@bar");
    }

    @Test
    void paymentCardsOnlyWhenTheLuhnChecksumHolds() {
        assertThat(redact("card 4111 1111 1111 1111 declined")).isEqualTo("card [CARD] declined");
        assertThat(redact("card 5500-0000-0000-0004")).isEqualTo("card [CARD]");
        assertThat(redact("card 378282246310005.")).isEqualTo("card [CARD].");
        assertThat(redact("ref 4111 1111 1111 1112")).isEqualTo("ref 4111 1111 1111 1112");
    }

    @Test
    void ibansOnlyWhenTheMod97ChecksumHolds() {
        assertThat(redact("pay to GB82 WEST 1234 5698 7654 32 please")).isEqualTo("pay to [IBAN] please");
        assertThat(redact("DE89370400440532013000")).isEqualTo("[IBAN]");
        // A wrong checksum is no IBAN; its four digit groups still look like a phone number (the safe side).
        assertThat(ALL.redact("pay to GB82 WEST 1234 5698 7654 33 please").counts()).containsOnlyKeys(PiiType.PHONE);
        assertThat(redact("ref DE89370400440532013001")).isEqualTo("ref DE89370400440532013001");
    }

    @Test
    void ipAddresses() {
        assertThat(redact("login from 192.168.0.17, then 10.0.0.1.")).isEqualTo("login from [IP], then [IP].");
        assertThat(redact("v6 2001:db8::8a2e:370:7334 and fe80::1 and ::1")).isEqualTo("v6 [IP] and [IP] and [IP]");
        assertThat(redact("2001:0db8:85a3:0000:0000:8a2e:0370:7334")).isEqualTo("[IP]");
        assertThat(redact("999.1.1.1 and 1.2.3 and 10:30:45")).isEqualTo("999.1.1.1 and 1.2.3 and 10:30:45");
    }

    @Test
    void phoneNumbers() {
        assertThat(redact("call +44 20 7946 0958 or (555) 123-4567")).isEqualTo("call [PHONE] or [PHONE]");
        assertThat(redact("mobile 0171 555 1234, fax +49-30-1234567")).isEqualTo("mobile [PHONE], fax [PHONE]");
        assertThat(redact("US 555-123-4567.")).isEqualTo("US [PHONE].");
    }

    @Test
    void ordinaryNumbersDatesTimesAndAmountsStay() {
        for (String s : List.of("order 12345678 shipped", "on 2024-05-01 at 10:30", "due 12/05/2024", "1 234 567",
                "$1,234.56 and 3.14", "version 3.2.1", "room 101-2", "call me at 5 pm", "ISO 8601", "invoice 1234 5678",
                "tracking 1Z999AA10123456784", "score 9-1-0", "years 1999-2003")) {
            assertThat(redact(s)).as(s).isEqualTo(s);
        }
    }

    @Test
    void countsPerTypeAndOnlyTheChosenTypes() {
        PiiRedactor.Result r = ALL.redact("mail a@b.io or c@d.io, card 4111111111111111, ip 8.8.8.8");
        assertThat(r.counts()).isEqualTo(Map.of(PiiType.EMAIL, 2, PiiType.CARD, 1, PiiType.IP, 1));
        assertThat(r.total()).isEqualTo(4);
        assertThat(PiiRedactor.of(List.of(PiiType.EMAIL)).redact("a@b.io 8.8.8.8").text()).isEqualTo("[EMAIL] 8.8.8.8");
        assertThat(ALL.redact("nothing here").counts()).isEmpty();
    }

    @Test
    void tokensKeepTheirCountAndEveryTokenPersonalDataTouchesIsReplaced() {
        var r = ALL.redactTokens(java.util.List.of("call", "+44", "20", "7946", "0958", "or", "mail", "jo@x.org",
                "on", "2024-05-01"));
        org.assertj.core.api.Assertions.assertThat(r.tokens()).containsExactly("call", "[PHONE]", "[PHONE]",
                "[PHONE]", "[PHONE]", "or", "mail", "[EMAIL]", "on", "2024-05-01");
        org.assertj.core.api.Assertions.assertThat(r.counts()).containsEntry(PiiType.PHONE, 1)
                .containsEntry(PiiType.EMAIL, 1).hasSize(2);
    }
}
