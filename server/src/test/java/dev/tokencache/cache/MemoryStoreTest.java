package dev.tokencache.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokencache.support.MutableClock;
import dev.tokencache.token.CacheKey;
import dev.tokencache.token.CacheKeyDeriver;
import dev.tokencache.token.CachedToken;
import dev.tokencache.token.ClientCredentials;
import dev.tokencache.token.TokenRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The store's bounds: per client, by count, by memory; and expiry with the token. */
class MemoryStoreTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private final MutableClock clock = new MutableClock(T0);
  private final CacheKeyDeriver keys = new CacheKeyDeriver("k".repeat(32).getBytes(StandardCharsets.UTF_8), "u");

  private CacheKey key(String client, String parameter) {
    return keys.keyFor(new TokenRequest(new ClientCredentials(client, "s"), new TreeSet<>(),
        new TreeMap<>(Map.of("x", parameter)), null));
  }

  private static StoredToken entry(String client, int tokenBytes) {
    CachedToken token = CachedToken.fromResponse(("{\"access_token\":\"" + "t".repeat(tokenBytes)
        + "\",\"expires_in\":3600}").getBytes(StandardCharsets.UTF_8), T0).orElseThrow();
    return new StoredToken(client, token, T0.plusSeconds(3540), token.staleUntil(), T0.plusSeconds(2880));
  }

  @Test
  void aClientMintingKeysEvictsOnlyItsOwnOldest() {
    MemoryStore store = new MemoryStore(100_000, 1L << 30, 100, clock);
    CacheKey quiet = key("quiet", "once");
    store.put(quiet, entry("quiet", 700));

    for (int i = 0; i < 5000; i++) {
      store.put(key("greedy", Integer.toString(i)), entry("greedy", 700));
    }

    assertThat(store.get(quiet)).as("another client's entry").isPresent();
    assertThat(store.get(key("greedy", "4999"))).isPresent();
    assertThat(store.get(key("greedy", "4900"))).isPresent();
    assertThat(store.get(key("greedy", "4899"))).as("beyond the newest 100").isEmpty();
    assertThat(store.size()).isEqualTo(101);
    assertThat(store.evictions(TokenStore.Eviction.PER_CLIENT)).isEqualTo(4900);
  }

  @Test
  void storingTheSameKeyAgainMakesItTheNewestWithoutCountingTwice() {
    MemoryStore store = new MemoryStore(1000, 1L << 30, 2, clock);
    store.put(key("c", "a"), entry("c", 10));
    store.put(key("c", "b"), entry("c", 10));
    store.put(key("c", "a"), entry("c", 10)); // refreshed: now newer than b
    store.put(key("c", "c"), entry("c", 10));

    assertThat(store.get(key("c", "a"))).isPresent();
    assertThat(store.get(key("c", "b"))).isEmpty();
    assertThat(store.get(key("c", "c"))).isPresent();
  }

  @Test
  void theMemoryBoundHoldsWhateverTheCountBoundSays() {
    long budget = 4L * 1024 * 1024;
    MemoryStore store = new MemoryStore(Long.MAX_VALUE / 4, budget, Integer.MAX_VALUE, clock);

    for (int i = 0; i < 2000; i++) { // 2,000 tokens of 16 KB: 32 MB offered to a 4 MB budget
      store.put(key("client-" + i, "p"), entry("client-" + i, 16 * 1024));
    }

    assertThat(store.weightedBytes()).isLessThanOrEqualTo(budget);
    assertThat(store.size()).isBetween(200L, 260L);
    assertThat(store.evictions(TokenStore.Eviction.MEMORY)).isGreaterThan(1700);
  }

  @Test
  void theCountBoundHoldsForSmallTokens() {
    MemoryStore store = new MemoryStore(50, 1L << 30, Integer.MAX_VALUE, clock);
    for (int i = 0; i < 500; i++) {
      store.put(key("client-" + i, "p"), entry("client-" + i, 10));
    }

    assertThat(store.size()).isLessThanOrEqualTo(50);
    assertThat(store.evictions(TokenStore.Eviction.SIZE)).isGreaterThanOrEqualTo(450);
  }

  @Test
  void anEntryIsGoneWhenItsTokenCanNoLongerBeServedEvenAsStale() {
    MemoryStore store = new MemoryStore(100, 1L << 30, 10, clock);
    CacheKey key = key("c", "a");
    store.put(key, entry("c", 10));

    clock.advance(Duration.ofSeconds(3594));
    assertThat(store.get(key)).isPresent();
    clock.advance(Duration.ofSeconds(1));
    assertThat(store.get(key)).isEmpty();
  }
}
