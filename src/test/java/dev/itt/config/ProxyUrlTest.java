package dev.itt.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** docs/CONFIGURATION.md §4: schemes, default ports, credentials, IPv6, and what a bad URL is told. */
class ProxyUrlTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "socks5://proxy.corp|SOCKS5|proxy.corp|1080",
        "socks5h://proxy.corp|SOCKS5H|proxy.corp|1080",
        "http://proxy.corp|HTTP|proxy.corp|8080",
        "http://proxy.corp:3128/|HTTP|proxy.corp|3128",
        "SOCKS5H://Proxy.Corp:1081|SOCKS5H|Proxy.Corp|1081",
        "'  socks5://10.0.0.1:1080  '|SOCKS5|10.0.0.1|1080",
        "socks5://[fd00::1]|SOCKS5|fd00::1|1080",
        "http://[::1]:3128|HTTP|::1|3128"})
    void schemesHostsAndDefaultPorts(String url, ProxyUrl.Scheme scheme, String host, int port) {
        ProxyUrl p = ProxyUrl.parse(url);
        assertEquals(scheme, p.scheme());
        assertEquals(host, p.host());
        assertEquals(port, p.port());
        assertNull(p.username());
        assertNull(p.password());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "socks5://alice:s3cret@proxy:1080|alice|s3cret",
        "http://alice@proxy|alice|''",
        "http://al%20ice:pa%40ss%3Aw%2Frd@proxy|al ice|pa@ss:w/rd",
        "http://a+b:c+d@proxy|a+b|c+d",
        "socks5h://%C3%A9mile:p%25@[fd00::1]:1081|émile|p%"})
    void userAndPasswordArePercentDecoded(String url, String username, String password) {
        ProxyUrl p = ProxyUrl.parse(url);
        assertEquals(username, p.username());
        assertEquals(password, p.password());
    }

    @Test
    void theStringFormIsAUrlWithThePasswordMasked() {
        assertEquals("http://proxy.corp:8080", ProxyUrl.parse("http://proxy.corp").toString());
        assertEquals("socks5h://alice:****@[fd00::1]:1081",
                ProxyUrl.parse("socks5h://alice:hunter2@[fd00::1]:1081").toString());
        assertEquals("socks5://alice:****@proxy:1080", ProxyUrl.parse("socks5://alice@proxy").toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "ftp://proxy:21|has scheme 'ftp'; use socks5://, socks5h:// or http://",
        "https://proxy|has scheme 'https'",
        "proxy.corp:1080|has scheme 'proxy.corp'",
        "//proxy.corp:1080|has scheme ''",
        "http://|is not a URL",
        "socks5://[fd00::1|is not a URL",
        "http://proxy:80%zz|is not a URL",
        "http://:8080|names no proxy host",
        "http://fd00::1:80|an IPv6 address goes in brackets",
        "http://proxy_corp:3128|names no proxy host",
        "http://proxy:3128/path|has no path, query or fragment",
        "http://proxy:3128?x=1|has no path, query or fragment",
        "http://proxy:3128#top|has no path, query or fragment",
        "http://proxy:0|has port 0, outside 1..65535",
        "http://proxy:65536|has port 65536, outside 1..65535"})
    void aBadUrlIsQuotedWithWhatIsWrong(String url, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProxyUrl.parse(url));
        assertTrue(e.getMessage().startsWith("'" + url + "'") && e.getMessage().contains(why), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   "})
    void anEmptyUrlIsAnError(String url) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProxyUrl.parse(url));
        assertEquals("empty proxy URL", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "socks6://alice:hunter2@proxy:1080",
        "http://alice:hunter2@proxy:1080/path",
        "http://alice:hunter2@proxy:99999",
        "http://alice:hunter2@proxy_corp:3128",
        "http://alice:hun%zzter2@proxy",
        "http://alice:hunter2@[fd00::1",
        "http://alice:hun@ter2@proxy",
        "http://alice:hun/ter2@proxy",
        "http://alice:hun#ter2@proxy",
        "socks5:alice:hunter2@proxy"})
    void thePasswordNeverAppearsInAnError(String url) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProxyUrl.parse(url));
        assertFalse(e.getMessage().contains("hunter2") || e.getMessage().contains("ter2"), e.getMessage());
        assertTrue(e.getMessage().contains("****"), e.getMessage());
    }

    @Test
    void thePasswordNeverAppearsInTheStringForm() {
        ProxyUrl p = ProxyUrl.parse("http://alice:hunter2@proxy:3128");
        assertEquals("hunter2", p.password());
        assertFalse(p.toString().contains("hunter2"), p.toString());
    }
}
