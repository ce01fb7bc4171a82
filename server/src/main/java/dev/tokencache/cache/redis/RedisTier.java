package dev.tokencache.cache.redis;

import dev.tokencache.cache.SharedStore;
import dev.tokencache.config.Settings;
import dev.tokencache.origin.SecretSources;
import dev.tokencache.token.CacheKey;
import dev.tokencache.token.CachedToken;
import io.vertx.core.Future;
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
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared store on Redis or Valkey. The fetch pipeline decides what to read and write; this class only
 * speaks Redis.
 *
 * <ul>
 *   <li>Keys: {@code tokencache:v2:{<hex of the HMAC cache key>}:t} (token), {@code tokencache:v2:{<hex>}:f} (the
 *       key's failure state: backoff or negative answer), {@code tokencache:v2:{<hex>}:l} (fetch lock); no client
 *       id, scope or secret in clear. The braces are a Redis Cluster hash tag: a key's three entries live in one
 *       slot, so token and failure state are read with one {@code MGET}, in a cluster too.
 *   <li>Values: sealed by {@link TokenCipher} under the client's secret, with the Redis key as associated data;
 *       stored with {@code PX} so that Redis drops them itself.
 *   <li>Lock: {@code SET NX PX} with a random owner id; released by a compare-and-delete script.
 *   <li>Failure: any Redis error, or a command slower than {@code redis.timeout}, fails the operation with
 *       {@link SharedStore.Unavailable}; the pipeline goes upstream without the store. The first failure is
 *       logged, and {@link #problem()} reports it (readiness: degraded) until a command succeeds again. Meanwhile
 *       only one command a second is sent, as a probe; the others fail at once without being sent.
 * </ul>
 * Never blocks.
 */
public final class RedisTier implements SharedStore {
  private static final Logger LOG = LoggerFactory.getLogger(RedisTier.class);
  private static final String PREFIX = "tokencache:v2:{";
  private static final long PROBE_INTERVAL_NANOS = 1_000_000_000L;
  private static final String RELEASE =
      "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

  private final Redis redis;
  private final TokenCipher cipher;
  private final Duration commandTimeout;
  private final AtomicReference<String> problem = new AtomicReference<>();
  private final LongAdder failures = new LongAdder();
  private final AtomicLong lastProbe = new AtomicLong();
  private final java.util.concurrent.atomic.AtomicInteger timeoutsInARow = new java.util.concurrent.atomic.AtomicInteger();
  private final int poolSize;
  private static final int TIMEOUTS_BEFORE_UNAVAILABLE = 3;
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /**
   * The tier for {@code settings} ({@code redis.*}, {@code cache.min-remaining}, {@code upstream.timeout}). The
   * client connects lazily, on the first command. A {@code redis.password} source is read now.
   */
  public static RedisTier create(Vertx vertx, Settings settings, byte[] keySecret) {
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
    return new RedisTier(Redis.createClient(vertx, options), keySecret, redis.timeout(), redis.poolSize());
  }

  RedisTier(Redis redis, byte[] keySecret, Duration commandTimeout, int poolSize) {
    this.redis = redis;
    this.poolSize = poolSize;
    this.cipher = new TokenCipher(keySecret);
    this.commandTimeout = commandTimeout;
  }

  @Override
  public Future<Snapshot> read(CacheKey key, String clientSecret) {
    String tokenKey = tokenKey(key);
    String holdKey = holdKey(key);
    return command(Request.cmd(Command.MGET).arg(tokenKey).arg(holdKey)).map(both -> new Snapshot(
        open(clientSecret, tokenKey, both.get(0)).flatMap(CachedToken::fromBytes),
        open(clientSecret, holdKey, both.get(1))));
  }

  @Override
  public Future<Void> writeToken(CacheKey key, String clientSecret, CachedToken token, Duration ttl) {
    return write(tokenKey(key), clientSecret, token.toBytes(), ttl);
  }

  @Override
  public Future<Void> writeHold(CacheKey key, String clientSecret, byte[] hold, Duration ttl) {
    return write(holdKey(key), clientSecret, hold, ttl);
  }

  @Override
  public Future<Optional<String>> tryLock(CacheKey key, Duration life) {
    String owner = UUID.randomUUID().toString();
    return command(Request.cmd(Command.SET).arg(lockKey(key)).arg(owner).arg("NX").arg("PX")
        .arg(life.toMillis()))
        .map(answer -> answer != null ? Optional.of(owner) : Optional.empty());
  }

  @Override
  public Future<Void> unlock(CacheKey key, String owner) {
    return command(Request.cmd(Command.EVAL).arg(RELEASE).arg(1).arg(lockKey(key)).arg(owner)).mapEmpty();
  }

  static String tokenKey(CacheKey key) {
    return PREFIX + key.hex() + "}:t";
  }

  private static String holdKey(CacheKey key) {
    return PREFIX + key.hex() + "}:f";
  }

  private static String lockKey(CacheKey key) {
    return PREFIX + key.hex() + "}:l";
  }

  private Future<Void> write(String redisKey, String clientSecret, byte[] plain, Duration ttl) {
    long millis = Math.max(1, ttl.toMillis());
    byte[] sealed = cipher.encrypt(clientSecret, redisKey, plain);
    return command(Request.cmd(Command.SET).arg(redisKey).arg(Buffer.buffer(sealed)).arg("PX").arg(millis)).mapEmpty();
  }

  /** The plain bytes of a stored value; empty when absent or sealed under another secret. */
  private Optional<byte[]> open(String clientSecret, String redisKey, Response answer) {
    if (answer == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(cipher.decrypt(clientSecret, redisKey, answer.toBuffer().getBytes()));
  }

  @Override
  public long failures() {
    return failures.sum();
  }

  /**
   * One command, bounded by {@code redis.timeout}; any failure becomes {@link RedisDown}. While Redis is known to
   * be down, commands fail at once without being sent, except one probe a second that finds out when it is back:
   * an outage costs requests nothing but the upstream call.
   */
  /**
   * Opens the pool at start-up: {@code redis.pool-size} PINGs at once, each allowed a generous
   * {@link #CONNECT_TIMEOUT} (a cold JVM's first connection and TLS handshake take far longer than
   * {@code redis.timeout}). Never fails: when Redis cannot be reached, the store starts as unavailable, says
   * why in readiness, and probes once a second as usual.
   */
  @Override
  public Future<Void> connect() {
    java.util.List<Future<Response>> pings = new java.util.ArrayList<>();
    for (int i = 0; i < poolSize; i++) {
      pings.add(redis.send(Request.cmd(Command.PING)).timeout(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    }
    return Future.all(pings).transform(done -> {
      if (done.failed()) {
        String why = done.cause() instanceof java.util.concurrent.TimeoutException
            ? "no answer within " + CONNECT_TIMEOUT.toMillis() + " ms at start-up"
            : "cannot connect: " + done.cause().getMessage();
        problem.set("redis unavailable: " + why);
        LOG.warn("redis unavailable at start-up ({}); answering from the local cache and the authorization server "
            + "until it answers", why);
      }
      return Future.succeededFuture();
    });
  }

  private Future<Response> command(Request request) {
    if (problem.get() != null) {
      long last = lastProbe.get();
      long now = System.nanoTime();
      if (now - last < PROBE_INTERVAL_NANOS || !lastProbe.compareAndSet(last, now)) {
        failures.increment();
        return Future.failedFuture(new Unavailable("skipped while redis is unavailable"));
      }
    }
    return redis.send(request)
        .timeout(commandTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .transform(done -> {
          if (done.succeeded()) {
            timeoutsInARow.set(0);
            if (problem.getAndSet(null) != null) {
              LOG.info("redis is reachable again; the shared store is back in use");
            }
            return Future.succeededFuture(done.result());
          }
          failures.increment();
          boolean timedOut = done.cause() instanceof java.util.concurrent.TimeoutException;
          String why = timedOut
              ? "no answer within " + commandTimeout.toMillis() + " ms"
              : "command failed: " + done.cause().getMessage();
          // one slow command (a GC pause, a cold path) fails only itself; three in a row mean Redis is not usable
          if (timedOut && timeoutsInARow.incrementAndGet() < TIMEOUTS_BEFORE_UNAVAILABLE) {
            return Future.failedFuture(new Unavailable(why));
          }
          if (problem.getAndSet("redis unavailable: " + why) == null) {
            LOG.warn("redis unavailable ({}); answering from the local cache and the authorization server", why);
          }
          return Future.failedFuture(new Unavailable(why));
        });
  }

  @Override
  public Optional<String> problem() {
    return Optional.ofNullable(problem.get());
  }

  @Override
  public Future<Void> close() {
    return redis.close();
  }

}
