package dev.tokencache.cache;

import dev.tokencache.token.CacheKey;
import dev.tokencache.token.CachedToken;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Optional;

/**
 * A store shared by every instance of a fleet (Redis or Valkey), behind this instance's {@link TokenStore}. It
 * keeps, per key, the token and the key's failure state ("hold": backoff or negative answer) as bytes sealed
 * under the client's secret, and a lock that makes one instance fetch for all. The fetch pipeline decides what
 * to do with them; the store only stores.
 *
 * <p>Contract: every operation is bounded in time. One that cannot be carried out fails its future with
 * {@link Unavailable}; the pipeline then carries on without the store. Never blocks.
 */
public interface SharedStore {

  /** What the store holds for a key. Both parts may be present (a stale token while the key backs off). */
  record Snapshot(Optional<CachedToken> token, Optional<byte[]> hold) {
    public static final Snapshot EMPTY = new Snapshot(Optional.empty(), Optional.empty());
  }

  /** Connects before the first request (start-up waits for it); never fails: an unreachable store is a problem. */
  Future<Void> connect();

  /** Reads the token and the hold for {@code key}; parts sealed under another secret read as absent. */
  Future<Snapshot> read(CacheKey key, String clientSecret);

  /** Stores {@code token} for {@code ttl}. */
  Future<Void> writeToken(CacheKey key, String clientSecret, CachedToken token, Duration ttl);

  /** Stores the key's failure state for {@code ttl}. */
  Future<Void> writeHold(CacheKey key, String clientSecret, byte[] hold, Duration ttl);

  /** Takes the fetch lock of {@code key} for at most {@code life}; the owner's id when taken, empty when busy. */
  Future<Optional<String>> tryLock(CacheKey key, Duration life);

  /** Releases the lock if {@code owner} still holds it. */
  Future<Void> unlock(CacheKey key, String owner);

  /** Commands that failed, timed out, or were skipped while the store was down, since start. */
  long failures();

  /** Why the store cannot be used now, for readiness (never a secret); empty while it works. */
  Optional<String> problem();

  /** Closes connections. */
  Future<Void> close();

  /** The store did not answer usefully. The message says why, never with a secret. */
  final class Unavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Unavailable(String message) {
      super(message, null, false, false);
    }
  }
}
