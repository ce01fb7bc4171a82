package dev.tokencache.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tokencache.cache.CacheResult;
import dev.tokencache.cache.ExpireAt;
import dev.tokencache.cache.MemoryStore;
import dev.tokencache.cache.SharedStore;
import dev.tokencache.cache.StoredToken;
import dev.tokencache.cache.TokenStore;
import dev.tokencache.config.ConfigValues;
import dev.tokencache.config.Settings;
import dev.tokencache.token.CacheKey;
import dev.tokencache.token.CachedToken;
import dev.tokencache.token.TokenRequest;
import dev.tokencache.upstream.Upstream;
import dev.tokencache.upstream.UpstreamFailure;
import dev.tokencache.upstream.UpstreamResponse;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every token request, from "what do we hold for this key" to the {@link Answer}: the one place that decides
 * whether the authorization server is asked, and what a request gets when it cannot or should not be.
 *
 * <p>Read it top to bottom as a request travels:
 * <ol>
 *   <li>{@link #token}: a fresh token in the {@link TokenStore} is a hit (and may start one background refresh).
 *       A forced refresh ({@code Cache-Control: no-cache}) skips it at most once per
 *       {@code cache.force-refresh-interval}, counted from the key's last forced refresh.
 *   <li>A key on hold (backing off after a failure, or replaying a negative answer) or a paused upstream answers
 *       without an upstream request: the token while it is valid ({@code stale} inside
 *       {@code cache.min-remaining}), else the remembered answer with {@code Retry-After}.
 *   <li>Otherwise the request joins the key's flight or starts one ({@link #flight}): single flight, one upstream
 *       request for any number of concurrent requests. Flights are completed, never cancelled.
 *   <li>The flight ({@link #fly}) looks in the {@link SharedStore} when there is one (another instance's token, or
 *       its failure state), takes the fleet-wide lock, and asks the {@link Upstream} ({@link #attempt}).
 *   <li>{@link #record} classifies the upstream's answer ({@link Attempt}) and updates, in this order, the token
 *       store, the key's state (backoff step, negative answer), the upstream's health and the shared store;
 *       only then is the flight completed, so a request that arrives after it sees the new state.
 *   <li>Each waiting request turns the flight's {@link Outcome} into its own {@link Answer} ({@link #answer}): a
 *       failed fetch still serves a valid token.
 * </ol>
 *
 * <p>Thread-safe and non-blocking: requests from every event loop share it. Answers complete on the caller's
 * Vert.x context. Time is read only from the injected clock; randomness (jitter) from the injected source.
 */
public final class TokenPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(TokenPipeline.class);
  private static final long POLL_MILLIS = 20;

  /** Why a flight is made. */
  private enum Reason {
    /** No fresh token in this instance. */
    MISS,
    /** A hit found the token past its refresh-ahead point; nobody waits for this flight. */
    REFRESH_AHEAD,
    /** The client asked for a new token; the shared store's copy will not do. */
    FORCED
  }

  private final Upstream upstream;
  private final TokenStore store;
  private final Optional<SharedStore> shared;
  private final Vertx vertx;
  private final InstantSource clock;
  private final DoubleSupplier random;
  private final Duration minRemaining;
  /** Whether the log has said that this upstream's tokens are shorter than {@code cache.min-remaining}. */
  private final java.util.concurrent.atomic.AtomicBoolean shortLifetimeNoted = new java.util.concurrent.atomic.AtomicBoolean();
  private final double refreshAhead;
  private final Duration forceRefreshInterval;
  private final boolean serveStale;
  private final Duration negativeTtl;
  private final Duration lockLife;
  private final Backoff backoff;
  private final UpstreamHealth health;
  private final Budgets budgets;
  private final UpstreamRate rate = new UpstreamRate();
  private final ConcurrentMap<CacheKey, Future<Outcome>> flights = new ConcurrentHashMap<>();
  private final Cache<CacheKey, KeyState> states;
  private final LongAdder sharedHits = new LongAdder();
  private final LongAdder sharedMisses = new LongAdder();

  /**
   * @param vertx timers for waiting on another instance's fetch; used only with a shared store (may be null without)
   * @param random uniform in [0, 1), for jitter
   */
  public TokenPipeline(Settings settings, Upstream upstream, TokenStore store, Optional<SharedStore> shared,
      Vertx vertx, InstantSource clock, DoubleSupplier random) {
    this(settings.cache(), settings.upstream(), upstream, store, shared, vertx, clock, random);
  }

  /**
   * A pipeline for one of several upstreams: {@code upstreamSettings} are that upstream's (timeouts, backoff,
   * budgets), the cache settings are the proxy's.
   */
  public TokenPipeline(Settings.Cache cache, Settings.Upstream upstreamSettings, Upstream upstream, TokenStore store,
      Optional<SharedStore> shared, Vertx vertx, InstantSource clock, DoubleSupplier random) {
    this.upstream = upstream;
    this.store = store;
    this.shared = shared;
    this.vertx = vertx;
    this.clock = clock;
    this.random = random;
    this.minRemaining = cache.minRemaining();
    this.refreshAhead = cache.refreshAhead();
    this.forceRefreshInterval = cache.forceRefreshInterval();
    this.serveStale = cache.serveStale();
    this.negativeTtl = cache.negativeTtl();
    this.lockLife = upstreamSettings.timeout().plusSeconds(1);
    this.backoff = new Backoff(upstreamSettings.backoff(), upstreamSettings.backoffMax(), random);
    this.health = new UpstreamHealth(upstream.tokenUrl(), backoff);
    this.budgets = new Budgets(upstreamSettings.maxRatePerClient(), upstreamSettings.maxRate(),
        cache.maxEntries(), clock);
    // bounded by count and, since a negative answer or a failure keeps the upstream's body, by memory too
    long stateBytes = Math.max(1024 * 1024, cache.maxMemoryBytes() / 4);
    int stateFloor = (int) Math.max(1, Math.min(Integer.MAX_VALUE, stateBytes / Math.max(1, cache.maxEntries())));
    this.states = Caffeine.newBuilder()
        .maximumWeight(stateBytes)
        .<CacheKey, KeyState>weigher((key, state) -> Math.max(stateFloor, state.heapBytes()))
        // a key's state is kept while it holds, while its forced-refresh window lasts, and a while after
        .expireAfter(new ExpireAt<CacheKey, KeyState>(
            state -> state.relevantUntil(forceRefreshInterval, backoff.max())))
        .ticker(MemoryStore.ticker(clock))
        .executor(Runnable::run)
        .build();
  }

  // ---------------------------------------------------------------------------------------------------------
  // The request path
  // ---------------------------------------------------------------------------------------------------------

  /**
   * Answers a client-credentials request.
   *
   * @param key the key derived from {@code request}
   * @param forceRefresh the client asked to skip the cached token ({@code Cache-Control: no-cache})
   * @return completes on the caller's context; never fails
   */
  public Future<Answer> token(CacheKey key, TokenRequest request, boolean forceRefresh) {
    Instant now = clock.instant();
    Optional<StoredToken> cached = store.get(key);
    boolean fresh = cached.isPresent() && cached.get().isFreshAt(now);
    if (fresh && (!forceRefresh || state(key).forcedRefreshWithin(forceRefreshInterval, now))) {
      if (cached.get().isDueForRefreshAt(now)) {
        refreshAhead(key, request, now);
      }
      return Future.succeededFuture(new Answer.Token(cached.get().token(), CacheResult.HIT, -1));
    }
    Optional<KeyState.Hold> hold = holdAt(key, now);
    if (hold.isPresent()) {
      return Future.succeededFuture(refused(hold.get(), cached, now));
    }
    return flight(key, request, fresh ? Reason.FORCED : Reason.MISS);
  }

  /**
   * Forwards a request of another grant type, uncached. It obeys a pause of the whole upstream (429 or
   * {@code Retry-After}) and the budgets, and its failures count toward the upstream's health.
   *
   * @param clientId the client id the request names, or "" when it names none (one shared budget)
   */
  public Future<Answer> forward(String clientId, String query, String authorization, Buffer body) {
    Instant now = clock.instant();
    Optional<UpstreamHealth.Pause> pause = health.pauseAt(now);
    if (pause.isPresent()) {
      return Future.succeededFuture(replay(new KeyState.Hold.Backoff(pause.get().cause(), pause.get().until()), now));
    }
    Optional<Budgets.Refusal> refusal = budgets.take(clientId);
    if (refusal.isPresent()) {
      return Future.succeededFuture(new Answer.Limited(refusal.get().scope(), refusal.get().retryAfter()));
    }
    rate.record(now);
    Future<UpstreamResponse> call;
    try {
      call = upstream.forward(query, authorization, body);
    } catch (RuntimeException e) {
      call = Future.failedFuture(e);
    }
    return onCallerContext(call.transform(done -> {
      Optional<Attempt.Failed> failed = Attempt.failureOf(done, clock.instant());
      if (failed.isPresent()) {
        Failure failure = failed.get().failure();
        health.failed(failure, failed.get().retryAfter(), clock.instant());
        return Future.succeededFuture(failure.answer(CacheResult.BYPASS, Optional.empty(), failure.elapsedNanos()));
      }
      answered(clock.instant());
      return Future.succeededFuture(new Answer.Passed(done.result(), CacheResult.BYPASS, Optional.empty(),
          done.result().elapsedNanos()));
    }));
  }

  /** Why no upstream request may be made for {@code key} now: its own hold, or a pause of the whole upstream. */
  private Optional<KeyState.Hold> holdAt(CacheKey key, Instant now) {
    Optional<KeyState.Hold> own = state(key).holdAt(now);
    if (own.isPresent()) {
      return own;
    }
    return health.pauseAt(now).map(pause -> new KeyState.Hold.Backoff(pause.cause(), pause.until()));
  }

  /** The answer while a hold stands: any valid token first (fresh, then stale), else the remembered answer. */
  private Answer refused(KeyState.Hold hold, Optional<StoredToken> cached, Instant now) {
    return validToken(cached, now).orElseGet(() -> replay(hold, now));
  }

  /**
   * The cached token when no new one can be had: as a hit while fresh (a forced refresh that failed or was held),
   * else as stale while still valid ({@code cache.serve-stale}); empty when there is none to serve.
   */
  private Optional<Answer> validToken(Optional<StoredToken> cached, Instant now) {
    if (cached.isPresent() && cached.get().isFreshAt(now)) {
      return Optional.of(new Answer.Token(cached.get().token(), CacheResult.HIT, -1));
    }
    if (serveStale && cached.isPresent() && cached.get().isValidAt(now)) {
      return Optional.of(new Answer.Token(cached.get().token(), CacheResult.STALE, -1));
    }
    return Optional.empty();
  }

  /** The remembered answer of a hold, without an upstream request. */
  private static Answer replay(KeyState.Hold hold, Instant now) {
    if (hold instanceof KeyState.Hold.Negative negative) {
      return new Answer.Passed(negative.answer(), CacheResult.NEGATIVE, Optional.empty(), -1);
    }
    KeyState.Hold.Backoff backoff = (KeyState.Hold.Backoff) hold;
    return backoff.last().answer(CacheResult.BACKOFF, Optional.of(Duration.between(now, backoff.until())), -1);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Single flight
  // ---------------------------------------------------------------------------------------------------------

  /** Joins the key's flight, or starts it; answers when it lands. */
  private Future<Answer> flight(CacheKey key, TokenRequest request, Reason reason) {
    Promise<Outcome> mine = Promise.promise();
    Future<Outcome> running = flights.putIfAbsent(key, mine.future());
    if (running != null) {
      return onCallerContext(running).map(outcome -> answer(key, outcome, CacheResult.COALESCED, false));
    }
    launch(key, request, reason, mine);
    CacheResult own = reason == Reason.FORCED ? CacheResult.REFRESH : CacheResult.MISS;
    return onCallerContext(mine.future()).map(outcome -> answer(key, outcome, own, true));
  }

  /** Starts a background refresh, unless a flight for the key is already under way. Nobody waits for it. */
  private void refreshAhead(CacheKey key, TokenRequest request, Instant now) {
    if (flights.containsKey(key) || holdAt(key, now).isPresent()
        || !budgets.allows(request.credentials().clientId())) {
      return;
    }
    Promise<Outcome> mine = Promise.promise();
    if (flights.putIfAbsent(key, mine.future()) == null) {
      launch(key, request, Reason.REFRESH_AHEAD, mine);
    }
  }

  /**
   * Runs the flight owned by {@code mine}. Whatever happens, {@code mine} is completed with an outcome (never
   * failed, never cancelled) after the flight has left the map, and after the outcome was recorded.
   */
  private void launch(CacheKey key, TokenRequest request, Reason reason, Promise<Outcome> mine) {
    Future<Outcome> work;
    try {
      work = fly(key, request, reason);
    } catch (RuntimeException e) {
      work = Future.failedFuture(e);
    }
    work.onComplete(done -> {
      flights.remove(key, mine.future());
      mine.complete(done.succeeded() ? done.result() : unexpected(key, done.cause()));
    });
  }

  /** The flight's work: look again, then the shared store, then the upstream. */
  private Future<Outcome> fly(CacheKey key, TokenRequest request, Reason reason) {
    Instant now = clock.instant();
    if (reason == Reason.MISS) {
      // Another flight may have stored its token and left between this request's look and its putIfAbsent.
      Optional<StoredToken> stored = store.get(key);
      if (stored.isPresent() && stored.get().isFreshAt(now)) {
        return Future.succeededFuture(new Outcome.Token(stored.get().token(), false, -1));
      }
    }
    if (reason == Reason.FORCED) {
      update(key, state -> state.withForcedRefresh(now));
    }
    if (shared.isPresent() && reason != Reason.FORCED) {
      return viaSharedStore(key, request, reason, shared.get());
    }
    return attempt(key, request);
  }

  /** What one waiting request answers, from its flight's outcome. */
  private Answer answer(CacheKey key, Outcome outcome, CacheResult result, boolean started) {
    CacheResult own = started ? result : CacheResult.COALESCED;
    if (outcome instanceof Outcome.Token token) {
      CacheResult served = started && !token.fetched() ? CacheResult.HIT : own;
      return new Answer.Token(token.token(), served, started ? token.upstreamNanos() : -1);
    }
    if (outcome instanceof Outcome.Passed passed) {
      return new Answer.Passed(passed.response(), own, Optional.empty(),
          started ? passed.response().elapsedNanos() : -1);
    }
    Instant now = clock.instant();
    if (outcome instanceof Outcome.Held held) {
      return refused(held.hold(), store.get(key), now);
    }
    Optional<Answer> valid = validToken(store.get(key), now);
    if (valid.isPresent()) {
      return valid.get();
    }
    if (outcome instanceof Outcome.Limited limited) {
      return new Answer.Limited(limited.refusal().scope(), limited.refusal().retryAfter());
    }
    Failure failure = ((Outcome.Failed) outcome).failure();
    return failure.answer(own, Optional.of(Duration.between(now, ((Outcome.Failed) outcome).retryAt())),
        started ? failure.elapsedNanos() : -1);
  }

  /** A bug, not an upstream problem: logged, and answered as the upstream being unavailable (never a 500). */
  private Outcome unexpected(CacheKey key, Throwable cause) {
    LOG.error("fetch for {} failed inside the proxy: {}", key, cause.toString());
    UpstreamFailure failure = new UpstreamFailure(UpstreamFailure.Kind.UNREACHABLE, "the proxy failed to fetch a token");
    return new Outcome.Failed(new Failure.NoAnswer(failure), clock.instant());
  }

  // ---------------------------------------------------------------------------------------------------------
  // The shared store: another instance's token or failure, and one fetch for the fleet
  // ---------------------------------------------------------------------------------------------------------

  /**
   * Uses what another instance stored, else fetches under the fleet-wide lock; while another instance holds the
   * lock, polls for its result. Any store failure makes the flight go straight upstream.
   */
  private Future<Outcome> viaSharedStore(CacheKey key, TokenRequest request, Reason reason, SharedStore fleet) {
    Optional<StoredToken> current = store.get(key);
    String secret = request.credentials().clientSecret();
    return fleet.read(key, secret)
        .otherwise(SharedStore.Snapshot.EMPTY) // a slow read alone must not break single flight: try the lock
        .compose(snapshot -> found(key, request, snapshot, reason, current)
            .map(Future::succeededFuture)
            .orElseGet(() -> fleet.tryLock(key, lockLife).compose(owner -> owner.isPresent()
                ? lockedAttempt(key, request, reason, current, fleet, owner.get())
                : awaitOther(key, request, reason, current, fleet, System.nanoTime() + lockLife.toNanos()))))
        .recover(unavailable -> {
          sharedMisses.increment();
          return attempt(key, request);
        });
  }

  /** This instance holds the lock: look once more (the result may have landed), else fetch; then release. */
  private Future<Outcome> lockedAttempt(CacheKey key, TokenRequest request, Reason reason,
      Optional<StoredToken> current, SharedStore fleet, String owner) {
    return fleet.read(key, request.credentials().clientSecret())
        .map(snapshot -> found(key, request, snapshot, reason, current))
        .otherwise(Optional.empty())
        .compose(found -> found.map(Future::succeededFuture).orElseGet(() -> {
          sharedMisses.increment();
          return attempt(key, request);
        }))
        .onComplete(done -> fleet.unlock(key, owner));
  }

  /** Another instance is fetching: poll for its result; past the lock's life, fetch by ourselves. */
  private Future<Outcome> awaitOther(CacheKey key, TokenRequest request, Reason reason,
      Optional<StoredToken> current, SharedStore fleet, long deadline) {
    return vertx.timer(POLL_MILLIS, TimeUnit.MILLISECONDS)
        .compose(tick -> fleet.read(key, request.credentials().clientSecret()))
        .compose(snapshot -> {
          Optional<Outcome> found = found(key, request, snapshot, reason, current);
          if (found.isPresent()) {
            return Future.succeededFuture(found.get());
          }
          if (System.nanoTime() - deadline >= 0) {
            sharedMisses.increment();
            return attempt(key, request);
          }
          return awaitOther(key, request, reason, current, fleet, deadline);
        });
  }

  /**
   * What the shared store's snapshot settles, if anything: a fresh token newer than ours (any valid newer one
   * is kept locally as a stale fallback), or a hold another instance recorded (adopted locally).
   */
  private Optional<Outcome> found(CacheKey key, TokenRequest request, SharedStore.Snapshot snapshot, Reason reason, Optional<StoredToken> current) {
    Instant now = clock.instant();
    Optional<CachedToken> token = snapshot.token().filter(t -> t.isValidAt(now));
    if (token.isPresent()) {
      CachedToken other = token.get();
      boolean newer = current.isEmpty() || other.receivedAt().isAfter(current.get().token().receivedAt());
      if (newer) {
        store.put(key, stored(request, other));
      }
      if (newer && other.isFreshAt(now, minRemaining)) {
        sharedHits.increment();
        return Optional.of(new Outcome.Token(other, false, -1));
      }
    }
    Optional<HoldCodec.Decoded> hold = snapshot.hold().flatMap(HoldCodec::decode)
        .filter(decoded -> now.isBefore(decoded.hold().until()));
    if (hold.isPresent()) {
      update(key, state -> state.held(hold.get().hold(), hold.get().failures()));
      return Optional.of(new Outcome.Held(hold.get().hold()));
    }
    return Optional.empty();
  }

  // ---------------------------------------------------------------------------------------------------------
  // The upstream request, and what its answer changes
  // ---------------------------------------------------------------------------------------------------------

  /**
   * One request to the authorization server, classified and recorded; or none, when it is over budget. Never
   * fails.
   */
  private Future<Outcome> attempt(CacheKey key, TokenRequest request) {
    Optional<Budgets.Refusal> refusal = budgets.take(request.credentials().clientId());
    if (refusal.isPresent()) {
      return Future.succeededFuture(new Outcome.Limited(refusal.get()));
    }
    Instant sentAt = clock.instant();
    rate.record(sentAt);
    Future<UpstreamResponse> call;
    try {
      call = upstream.requestToken(request);
    } catch (RuntimeException e) {
      call = Future.failedFuture(e);
    }
    return call.transform(done -> record(key, request, Attempt.classify(done, sentAt, clock.instant())));
  }

  /**
   * Applies an attempt: the token store, the key's state, the upstream's health, then the shared store (awaited,
   * so that an instance that takes the lock after ours sees the result; its failure is ignored).
   */
  private Future<Outcome> record(CacheKey key, TokenRequest request, Attempt attempt) {
    Instant now = clock.instant();
    if (attempt instanceof Attempt.Fetched fetched) {
      StoredToken entry = stored(request, fetched.token());
      if (entry.isValidAt(now)) {
        store.put(key, entry);
      }
      update(key, KeyState::answered);
      answered(now);
      Outcome outcome = new Outcome.Token(fetched.token(), true, fetched.response().elapsedNanos());
      Duration life = Duration.between(now, entry.staleUntil());
      return shared.isEmpty() || life.isNegative() || life.isZero()
          ? Future.succeededFuture(outcome)
          : shared.get().writeToken(key, request.credentials().clientSecret(), fetched.token(), life)
              .transform(written -> Future.succeededFuture(outcome));
    }
    if (attempt instanceof Attempt.Rejected rejected && !negativeTtl.isZero()) {
      KeyState.Hold hold = new KeyState.Hold.Negative(rejected.response(), now.plus(negativeTtl));
      update(key, state -> state.held(hold, 0));
      answered(now);
      return publish(key, request, hold, 0, new Outcome.Passed(rejected.response()));
    }
    if (attempt instanceof Attempt.Failed failed) {
      KeyState next = update(key, state -> {
        int failures = state.failures() + 1;
        Instant until = now.plus(backoff.delay(failures, failed.retryAfter()));
        return state.held(new KeyState.Hold.Backoff(failed.failure(), until), failures);
      });
      health.failed(failed.failure(), failed.retryAfter(), now);
      KeyState.Hold hold = next.hold().orElseThrow();
      return publish(key, request, hold, next.failures(), new Outcome.Failed(failed.failure(), hold.until()));
    }
    UpstreamResponse response = attempt instanceof Attempt.Answered answered
        ? answered.response()
        : ((Attempt.Rejected) attempt).response();
    update(key, KeyState::answered);
    Optional<String> notOAuth = NotOAuth.diagnose(response);
    if (notOAuth.isPresent()) {
      health.answeredNotOAuth(notOAuth.get());
    } else {
      answered(now);
    }
    return Future.succeededFuture(new Outcome.Passed(response));
  }

  /**
   * The upstream answered. When it had been failing, every key's backoff ends now: those keys backed off because
   * the upstream failed, not because of anything of theirs, and it works again. (Negative answers stay: they are
   * about the key.) Without this, a key that reached a 60 s step would wait up to a minute after the recovery.
   */
  private void answered(Instant now) {
    if (health.answered(now)) {
      states.asMap().replaceAll((key, state) ->
          state.hold().filter(KeyState.Hold.Backoff.class::isInstance).isPresent() ? state.answered() : state);
    }
  }

  private Future<Outcome> publish(CacheKey key, TokenRequest request, KeyState.Hold hold, int failures,
      Outcome outcome) {
    Duration life = Duration.between(clock.instant(), hold.until());
    if (shared.isEmpty() || life.isNegative() || life.isZero()) {
      return Future.succeededFuture(outcome);
    }
    return shared.get().writeHold(key, request.credentials().clientSecret(), HoldCodec.encode(hold, failures), life)
        .transform(written -> Future.succeededFuture(outcome));
  }

  /** A token as stored: its windows, and a refresh point drawn between 90 % and 100 % of {@code cache.refresh-ahead}. */
  private StoredToken stored(TokenRequest request, CachedToken token) {
    if (token.lifetime().compareTo(minRemaining) <= 0 && !shortLifetimeNoted.getAndSet(true)) {
      LOG.info("tokens from {} live {} s, not more than cache.min-remaining ({} s): each is served for nine tenths "
          + "of its lifetime instead (said once)", ConfigValues.maskUserInfo(upstream.tokenUrl().toString()),
          token.lifetime().toSeconds(),
          minRemaining.toSeconds());
    }
    Instant refreshAt = refreshAhead >= 1
        ? Instant.MAX
        : token.refreshPoint(refreshAhead * (1 - 0.1 * random.getAsDouble()));
    return new StoredToken(request.credentials().clientId(), token, token.freshUntil(minRemaining),
        token.staleUntil(), refreshAt);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Key states
  // ---------------------------------------------------------------------------------------------------------

  private KeyState state(CacheKey key) {
    KeyState state = states.getIfPresent(key);
    return state == null ? KeyState.NONE : state;
  }

  /** Replaces the key's state atomically; a state with nothing left to remember is dropped. */
  private KeyState update(CacheKey key, UnaryOperator<KeyState> change) {
    KeyState[] result = new KeyState[1];
    states.asMap().compute(key, (k, state) -> {
      KeyState next = change.apply(state == null ? KeyState.NONE : state);
      result[0] = next;
      return next.equals(KeyState.NONE) ? null : next;
    });
    return result[0];
  }

  // ---------------------------------------------------------------------------------------------------------
  // For metrics and readiness
  // ---------------------------------------------------------------------------------------------------------

  /** Tokens held in this instance. */
  public long entries() {
    return store.size();
  }

  /** Tokens pushed out of this instance's store by a bound since start. */
  public long evictions(TokenStore.Eviction cause) {
    return store.evictions(cause);
  }

  /** Upstream fetches under way. */
  public int fetchesInFlight() {
    return flights.size();
  }

  /** Requests refused by a budget since start: {@code scope} client or total. */
  public long limited(Budgets.Scope scope) {
    return budgets.refused(scope);
  }

  /** Slots left in the total budget ({@code upstream.max-rate}) now, or -1 when it is off. */
  public long totalBudgetAvailable() {
    return budgets.totalAvailable();
  }

  /**
   * Asks the token endpoint once without credentials, as {@code serve} does at start-up: an OAuth2 token endpoint
   * answers a JSON error (401 {@code invalid_client}, 400 {@code invalid_request}). Anything else is logged and
   * reported by {@link #upstreamProblem()} until a proper answer comes; an unreachable upstream is only logged (it
   * may not be up yet). Sent outside the budgets and the backoff; completes with the problem found, if any.
   */
  public Future<Optional<String>> probe() {
    Future<UpstreamResponse> call;
    try {
      call = upstream.forward(null, null, Buffer.buffer("grant_type=client_credentials"));
    } catch (RuntimeException e) {
      call = Future.failedFuture(e);
    }
    return call.transform(done -> {
      if (done.failed()) {
        // the failure message names host:port; the URL itself could hold user:password, so it is not logged
        LOG.warn("start-up probe of the authorization server: {}", done.cause().getMessage());
        return Future.succeededFuture(Optional.of(String.valueOf(done.cause().getMessage())));
      }
      Optional<String> problem = NotOAuth.diagnose(done.result());
      problem.ifPresent(health::answeredNotOAuth);
      return Future.succeededFuture(problem);
    });
  }

  /** Answers that no OAuth2 token endpoint gives, since start. */
  public long notOAuthAnswers() {
    return health.notOAuthAnswers();
  }

  /** Requests sent upstream per second, over the last minute (for the quota-used ratio). */
  public double upstreamRate() {
    return rate.perSecond(clock.instant());
  }

  /** Keys whose requests are answered without the upstream now (backoff or negative answer). */
  public long keysOnHold() {
    Instant now = clock.instant();
    return states.asMap().values().stream().filter(state -> state.holdAt(now).isPresent()).count();
  }

  /** The upstream's state: 0 healthy, 1 failing, 2 paused. */
  public int upstreamState() {
    return health.stateAt(clock.instant()).ordinal();
  }

  /** Why the upstream is not healthy, for readiness (degraded, not down); empty while it is. */
  public Optional<String> upstreamProblem() {
    return health.problem(clock.instant());
  }

  /** Whether a shared store is in use. */
  public boolean hasSharedStore() {
    return shared.isPresent();
  }

  /** Local misses the shared store answered with another instance's token. */
  public long sharedHits() {
    return sharedHits.sum();
  }

  /** Local misses the shared store passed on to the upstream. */
  public long sharedMisses() {
    return sharedMisses.sum();
  }

  /** Shared-store commands that failed, timed out or were skipped. */
  public long sharedFailures() {
    return shared.map(SharedStore::failures).orElse(0L);
  }

  /** Why the shared store is not usable, for readiness; empty while it is, or when there is none. */
  public Optional<String> sharedProblem() {
    return shared.flatMap(SharedStore::problem);
  }

  /** Completes {@code future}'s listeners on the calling request's context (a flight lands on its owner's). */
  private static <T> Future<T> onCallerContext(Future<T> future) {
    Context caller = Vertx.currentContext();
    if (caller == null || future.isComplete()) {
      return future;
    }
    Promise<T> hop = Promise.promise();
    future.onComplete(done -> {
      if (Vertx.currentContext() == caller) {
        hop.handle(done);
      } else {
        caller.runOnContext(v -> hop.handle(done));
      }
    });
    return hop.future();
  }
}
