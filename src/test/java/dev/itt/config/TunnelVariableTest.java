package dev.itt.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The rule that reads ITT_TUNNELS_<NAME>_<KEY> (docs/CONFIGURATION.md §5), one variable shape per row. */
class TunnelVariableTest {

    @ParameterizedTest(name = "{0} is tunnel {1}, key {2}")
    @CsvSource({
        "ITT_TUNNELS_DOCKER_LISTEN, docker, listen",
        "ITT_TUNNELS_MY_DB_LISTEN, my-db, listen",
        "ITT_TUNNELS_A_B_C_DOWNSTREAM, a-b-c, downstream",
        "ITT_TUNNELS_DB2_UPSTREAM, db2, upstream",
        "ITT_TUNNELS_MY_DB_KEEP_ALIVE_INTERVAL, my-db, keep-alive-interval",
        "ITT_TUNNELS_MY_DB_MAX_CONNECTIONS_PER_SOURCE, my-db, max-connections-per-source",
        "ITT_TUNNELS_MY_DB_MAX_CONNECTIONS, my-db, max-connections",
        "ITT_TUNNELS_MY_DB_TLS_CLIENT_CA, my-db, tls.client-ca",
        "ITT_TUNNELS_WEB_LISTEN_TLS_CLIENT_CA, web, listen-tls.client-ca",
        "ITT_TUNNELS_MY_DB_TOKEN_FILE, my-db, token-file",
        "ITT_TUNNELS_MY_DB_TOKEN, my-db, token",
        "ITT_TUNNELS_MY_DB_TLS_ENABLED, my-db, tls.enabled",
        "ITT_TUNNELS_MY_DB_NAME, my-db, name",
        // the one ambiguity: when one key ends another, the longer key wins
        "ITT_TUNNELS_MY_DB_TLS_SERVER_NAME, my-db, tls.server-name",
        "ITT_TUNNELS_EDGE_AGENT_ALLOW, edge, agent-allow",
        // the quoted form of itt.tunnels."my-db".listen
        "ITT_TUNNELS__MY_DB__LISTEN, my-db, listen",
        "ITT_TUNNELS__MY_DB__TLS_CLIENT_CA, my-db, tls.client-ca",
    })
    void readsTheKeyFromTheRightAndTheRestAsTheName(String variable, String tunnel, String key) {
        TunnelVariable v = TunnelVariable.parse(variable);
        assertEquals(key, v.key(), variable);
        assertEquals(tunnel, v.tunnel(Set.of()), variable);
        String expected = "itt.tunnels." + tunnel + "." + key;
        assertEquals(expected, v.property(Set.of()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ITT_PORT", "ITT_SERVICE_HOST", "ITT_PORT_7000_TCP_ADDR", "ITT_TUNNEL_X_LISTEN", "ITT_",
        "PATH", "itt_tunnels_x_listen"})
    void otherVariablesAreNotTheRulesToRead(String variable) {
        assertNull(TunnelVariable.parse(variable));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ITT_TUNNELS_DOCKER_LISTN", "ITT_TUNNELS_LISTEN", "ITT_TUNNELS_", "ITT_TUNNELS_X_TLS"})
    void aVariableWithNoKnownKeyHasNoKey(String variable) {
        assertNull(TunnelVariable.parse(variable).key(), variable);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ITT_TUNNELS__LISTEN", "ITT_TUNNELS___LISTEN"})
    void aVariableWithAKeyButNoNameHasAnEmptyName(String variable) {
        assertEquals("listen", TunnelVariable.parse(variable).key());
        assertEquals("", TunnelVariable.parse(variable).name());
    }

    @ParameterizedTest(name = "{0} with {1} defined elsewhere sets {2}")
    @CsvSource({
        "ITT_TUNNELS_DOCKER_AGENT_TOKEN, docker-agent, itt.tunnels.docker-agent.token",
        "ITT_TUNNELS_MY_DB_TOKEN, my_db, itt.tunnels.my_db.token",
        "ITT_TUNNELS_MY_DB_TOKEN, my.db, itt.tunnels.\"my.db\".token",
        "ITT_TUNNELS__MY_DB__TOKEN, my.db, itt.tunnels.\"my.db\".token",
        "ITT_TUNNELS_ITT_KEEP_ALIVE_INTERVAL, itt, itt.tunnels.itt.keep-alive-interval",
        "ITT_TUNNELS_OTHER_TOKEN, my_db, itt.tunnels.other.token",
    })
    void aTunnelDefinedInAnotherSourceKeepsItsName(String variable, String defined, String property) {
        assertEquals(property, TunnelVariable.parse(variable).property(List.of(defined, "unrelated")));
    }
}
