package dev.tokencache.cache;

import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Instant;
import java.util.function.Function;

/**
 * A Caffeine {@link Expiry} that drops each entry at an instant the value itself says (set again on every write,
 * unchanged by reads). Use with {@link MemoryStore#ticker}, so that the instants and Caffeine's clock agree.
 */
public final class ExpireAt<K, V> implements Expiry<K, V> {
  private final Function<V, Instant> deadline;

  public ExpireAt(Function<V, Instant> deadline) {
    this.deadline = deadline;
  }

  @Override
  public long expireAfterCreate(K key, V value, long currentTime) {
    return Math.max(0, MemoryStore.toNanos(deadline.apply(value)) - currentTime);
  }

  @Override
  public long expireAfterUpdate(K key, V value, long currentTime, long currentDuration) {
    return expireAfterCreate(key, value, currentTime);
  }

  @Override
  public long expireAfterRead(K key, V value, long currentTime, long currentDuration) {
    return currentDuration;
  }
}
