package dev.tokencache.origin;

/** Reads a secret from where it is kept. May block (file and network I/O): never call it on an event loop. */
@FunctionalInterface
interface SecretReader {
  /**
   * @throws SecretUnavailable with a message that names the source and the reason, never the value
   */
  SecretVersions read();
}
