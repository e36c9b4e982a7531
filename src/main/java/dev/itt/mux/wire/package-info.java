/**
 * The native wire format: frame types, error codes, encoder and decoder. The spec is {@code docs/PROTOCOL.md};
 * every constant here has a row there, and its appendix of test vectors is what the codec tests read. Knows
 * nothing of sessions, sockets, Vert.x or Quarkus.
 */
package dev.itt.mux.wire;
