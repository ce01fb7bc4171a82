package dev.tokencache.cache.redis;

import dev.tokencache.cache.Fetched;
import dev.tokencache.cache.SharedTier;
import dev.tokencache.config.Settings;
import dev.tokencache.origin.SecretSources;
import dev.tokencache.token.CacheKey;
import dev.tokencache.token.CachedToken;
import dev.tokencache.token.TokenRequest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisReplicas;
import io.vertx.redis.client.RedisRole;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared tier on Redis or Valkey (SPEC §6).
 *
 * <ul>
 *   <li>Keys: {@code tokencache:v1:t:<hex of the HMAC cache key>}; no client id, scope or secret in clear.
 *   <li>Values: the token encrypted by {@link TokenCipher}; stored with {@code PX} = the token's usable life (until
 *       {@code cache.min-remaining} before expiry), so Redis drops it itself.
 *   <li>Single flight across instances: the instance that takes {@code tokencache:v1:l:<hex>} with
 *       {@code SET NX PX} fetches and stores; the others poll for the value every 20 ms, up to the lock's life
 *       ({@code upstream.timeout} + 1 s), then fetch by themselves.
 *   <li>Failure: any Redis error or a command slower than {@code redis.timeout} makes the fetch go straight
 *       upstream. The first failure is logged, and {@link #problem()} reports it (readiness: degraded) until a
 *       command succeeds again. Meanwhile only one command a second is sent, as a probe; the others skip Redis.
 *       The client reconnects by itself.
 * </ul>
 * Runs on the calling event loop; never blocks.
 */
public final class RedisTier implements SharedTier {
  private static final Logger LOG = LoggerFactory.getLogger(RedisTier.class);
  private static final String VALUE_PREFIX = "tokencache:v1:t:";
  private static final String LOCK_PREFIX = "tokencache:v1:l:";
  private static final long POLL_MILLIS = 20;
  private static final String RELEASE =
      "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

  private final Vertx vertx;
  private final Redis redis;
  private final TokenCipher cipher;
  private final InstantSource clock;
  private final Duration minRemaining;
  private final Duration commandTimeout;
  private final Duration lockLife;
  private final AtomicReference<String> problem = new AtomicReference<>();
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private final java.util.concurrent.atomic.AtomicLong lastProbe = new java.util.concurrent.atomic.AtomicLong();
  private static final long PROBE_INTERVAL_NANOS = 1_000_000_000L;

  /**
   * The tier for {@code settings} ({@code redis.*}, {@code cache.min-remaining}, {@code upstream.timeout}). The
   * client connects lazily, on the first command. A {@code redis.password} source is read now.
   */
  public static RedisTier create(Vertx vertx, Settings settings, byte[] keySecret, InstantSource clock) {
    Settings.Redis redis = settings.redis();
    RedisOptions options = new RedisOptions()
        .setMaxPoolSize(redis.poolSize())
        .setMaxPoolWaiting(1024)
        .setMaxWaitingHandlers(4096);
    redis.urls().forEach(options::addConnectionString);
    switch (redis.type()) {
      case SENTINEL -> options.setType(RedisClientType.SENTINEL).setMasterName(redis.masterName())
          .setRole(RedisRole.MASTER);
      case CLUSTER -> options.setType(RedisClientType.CLUSTER).setUseReplicas(RedisReplicas.NEVER);
      default -> options.setType(RedisClientType.STANDALONE);
    }
    redis.passwordSource().ifPresent(spec -> options.setPassword(SecretSources.readOnce(spec, System.getenv())));
    return new RedisTier(vertx, Redis.createClient(vertx, options), keySecret, clock, settings.cache().minRemaining(),
        redis.timeout(), settings.upstream().timeout());
  }

  RedisTier(Vertx vertx, Redis redis, byte[] keySecret, InstantSource clock, Duration minRemaining,
      Duration commandTimeout, Duration upstreamTimeout) {
    this.vertx = vertx;
    this.redis = redis;
    this.cipher = new TokenCipher(keySecret);
    this.clock = clock;
    this.minRemaining = minRemaining;
    this.commandTimeout = commandTimeout;
    this.lockLife = upstreamTimeout.plusSeconds(1);
  }

  @Override
  public CompletionStage<Fetched> load(CacheKey key, TokenRequest request, Reason reason, CachedToken current,
      Supplier<CompletionStage<Fetched>> upstream) {
    String valueKey = VALUE_PREFIX + key.hex();
    if (reason == Reason.FORCED) {
      return store(valueKey, request, fromUpstream(upstream)).toCompletionStage();
    }
    return read(valueKey, request)
        .compose(stored -> usable(stored, reason, current)
            ? shared(stored)
            : lockedFetch(key, valueKey, request, reason, current, upstream))
        .recover(failure -> failure instanceof RedisDown
            ? fromUpstream(upstream)
            : Future.failedFuture(failure))
        .toCompletionStage();
  }

  private boolean usable(CachedToken stored, Reason reason, CachedToken current) {
    if (stored == null || !stored.isServableAt(clock.instant(), minRemaining)) {
      return false;
    }
    return reason == Reason.MISS || current == null || stored.receivedAt().isAfter(current.receivedAt());
  }

  private Future<Fetched> lockedFetch(CacheKey key, String valueKey, TokenRequest request, Reason reason,
      CachedToken current, Supplier<CompletionStage<Fetched>> upstream) {
    String lockKey = LOCK_PREFIX + key.hex();
    String owner = UUID.randomUUID().toString();
    return command(Request.cmd(Command.SET).arg(lockKey).arg(owner).arg("NX").arg("PX").arg(lockLife.toMillis()))
        .compose(answer -> {
          if (answer != null) { // OK: this instance fetches for everyone, unless the value landed meanwhile
            return read(valueKey, request)
                .compose(stored -> usable(stored, reason, current)
                    ? shared(stored)
                    : store(valueKey, request, fromUpstream(upstream)))
                .onComplete(done -> command(Request.cmd(Command.EVAL).arg(RELEASE).arg(1).arg(lockKey).arg(owner)));
          }
          long deadline = System.nanoTime() + lockLife.toNanos();
          return awaitValue(valueKey, request, reason, current, deadline, upstream);
        });
  }

  /** Polls for the value another instance is fetching; past the deadline, fetches by itself. */
  private Future<Fetched> awaitValue(String valueKey, TokenRequest request, Reason reason, CachedToken current,
      long deadline, Supplier<CompletionStage<Fetched>> upstream) {
    Promise<Void> tick = Promise.promise();
    vertx.setTimer(POLL_MILLIS, id -> tick.complete());
    return tick.future()
        .compose(v -> read(valueKey, request))
        .compose(stored -> {
          if (usable(stored, reason, current)) {
            return shared(stored);
          }
          if (System.nanoTime() >= deadline) {
            return store(valueKey, request, fromUpstream(upstream));
          }
          return awaitValue(valueKey, request, reason, current, deadline, upstream);
        });
  }

  private Future<Fetched> shared(CachedToken stored) {
    hits.increment();
    return Future.succeededFuture(Fetched.shared(stored));
  }

  private Future<Fetched> fromUpstream(Supplier<CompletionStage<Fetched>> upstream) {
    misses.increment();
    return Future.fromCompletionStage(upstream.get());
  }

  @Override
  public Stats stats() {
    return new Stats() {
      @Override
      public long hits() {
        return hits.sum();
      }

      @Override
      public long misses() {
        return misses.sum();
      }

      @Override
      public long failures() {
        return failures.sum();
      }
    };
  }

  /** Passes the fetch on; stores a cacheable token first (a failed store is logged and ignored). */
  private Future<Fetched> store(String valueKey, TokenRequest request, Future<Fetched> fetch) {
    return fetch.compose(fetched -> {
      Optional<CachedToken> token = fetched.token();
      if (token.isEmpty()) {
        return Future.succeededFuture(fetched);
      }
      long life = Duration.between(clock.instant(), token.get().expiresAt().minus(minRemaining)).toMillis();
      if (life <= 0) {
        return Future.succeededFuture(fetched);
      }
      byte[] sealed = cipher.encrypt(request.credentials().clientSecret(), valueKey, token.get().toBytes());
      return command(Request.cmd(Command.SET).arg(valueKey).arg(Buffer.buffer(sealed)).arg("PX").arg(life))
          .transform(stored -> Future.succeededFuture(fetched));
    });
  }

  /** The stored token for this request, or {@code null} (absent, or not sealed for this client's secret). */
  private Future<CachedToken> read(String valueKey, TokenRequest request) {
    return command(Request.cmd(Command.GET).arg(valueKey)).map(answer -> {
      if (answer == null) {
        return null;
      }
      byte[] plain = cipher.decrypt(request.credentials().clientSecret(), valueKey, answer.toBuffer().getBytes());
      return plain == null ? null : CachedToken.fromBytes(plain).orElse(null);
    });
  }

  /**
   * One command, bounded by {@code redis.timeout}; any failure becomes {@link RedisDown}. While Redis is known to
   * be down, commands fail at once without being sent, except one probe a second that finds out when it is back:
   * an outage costs requests nothing but the upstream call.
   */
  private Future<Response> command(Request request) {
    if (problem.get() != null) {
      long last = lastProbe.get();
      long now = System.nanoTime();
      if (now - last < PROBE_INTERVAL_NANOS || !lastProbe.compareAndSet(last, now)) {
        failures.increment();
        return Future.failedFuture(new RedisDown("skipped while redis is unavailable"));
      }
    }
    Promise<Response> result = Promise.promise();
    long timer = vertx.setTimer(commandTimeout.toMillis(),
        id -> result.tryFail(new RedisDown("no answer within " + commandTimeout.toMillis() + " ms")));
    redis.send(request).onComplete(answer -> {
      vertx.cancelTimer(timer);
      if (answer.succeeded()) {
        result.tryComplete(answer.result());
      } else {
        result.tryFail(new RedisDown(answer.cause().getClass().getSimpleName()));
      }
    });
    return result.future().onComplete(done -> {
      if (done.succeeded()) {
        if (problem.getAndSet(null) != null) {
          LOG.info("redis is reachable again; the shared tier is back in use");
        }
      } else {
        failures.increment();
        if (problem.getAndSet("redis unavailable: " + done.cause().getMessage()) == null) {
          LOG.warn("redis unavailable ({}); answering from the local cache and the authorization server",
              done.cause().getMessage());
        }
      }
    });
  }

  @Override
  public String problem() {
    return problem.get();
  }

  public Future<Void> close() {
    return redis.close();
  }

  /** Redis did not answer usefully; the fetch goes upstream instead. */
  static final class RedisDown extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RedisDown(String message) {
      super(message, null, false, false);
    }
  }
}
