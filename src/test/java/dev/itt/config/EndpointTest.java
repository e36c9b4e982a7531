package dev.itt.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EndpointTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "localhost:8080|localhost:8080",
        "tcp:10.0.0.1:22|10.0.0.1:22",
        "[::1]:7000|[::1]:7000",
        ":7000|0.0.0.0:7000",
        "unix:/var/run/docker.sock|unix:/var/run/docker.sock"})
    void addressesParse(String text, String canonical) {
        assertEquals(canonical, Endpoint.parse(text).toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "localhost|has no port",
        "host:http|is not a number",
        "host:70000|outside 0..65535",
        "::1:80|write IPv6 addresses as [addr]:port",
        "[::1]80|is not [v6-address]:port",
        "unix:|names no socket path"})
    void badAddressesSayWhatIsWrongAndQuoteTheValue(String text, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Endpoint.parse(text));
        assertTrue(e.getMessage().contains("'" + text + "'") && e.getMessage().contains(why), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"proxy:db:5432|true", "db:5432|false"})
    void theProxyPrefixMarksATargetForTheProxy(String text, boolean viaProxy) {
        DialTarget t = DialTarget.parse(text);
        assertEquals(viaProxy, t.viaProxy());
        assertEquals(text, t.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"proxy:unix:/x.sock|cannot be dialed through a proxy"})
    void unixTargetsCannotUseAProxy(String text, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DialTarget.parse(text));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }
}
