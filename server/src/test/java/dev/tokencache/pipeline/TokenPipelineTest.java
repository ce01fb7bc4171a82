package dev.tokencache.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokencache.cache.CacheResult;
import dev.tokencache.cache.MemoryStore;
import dev.tokencache.cache.StoredToken;
import dev.tokencache.cache.TokenStore;
import dev.tokencache.config.RawConfig;
import dev.tokencache.config.Settings;
import dev.tokencache.config.SettingsParser;
import dev.tokencache.request.ParsedRequest;
import dev.tokencache.request.TokenRequestParser;
import dev.tokencache.support.Forms;
import dev.tokencache.support.MutableClock;
import dev.tokencache.token.CacheKey;
import dev.tokencache.token.CacheKeyDeriver;
import dev.tokencache.token.CachedToken;
import dev.tokencache.token.TokenRequest;
import dev.tokencache.upstream.UpstreamFailure;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The fetch pipeline alone: a clock the test moves, upstream requests the test answers by hand, jitter fixed. No
 * thread, no sleep: every race here is played in one order on purpose.
 */
class TokenPipelineTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private final MutableClock clock = new MutableClock(T0);
  private final ScriptedUpstream upstream = new ScriptedUpstream();
  private final CacheKeyDeriver keys = new CacheKeyDeriver(
      "test-key-secret-0123456789".getBytes(StandardCharsets.UTF_8), "https://as.example:8443/oauth2/token");
  private double jitter = 0;
  private TokenStore store;
  private TokenPipeline pipeline;

  private TokenPipeline pipeline(Map<String, String> overrides) {
    Map<String, String> values = new HashMap<>(overrides);
    values.put("upstream.token-url", "https://as.example:8443/oauth2/token");
    Settings settings = SettingsParser.parse(RawConfig.defaults().withOverrides(values));
    if (store == null) {
      store = new MemoryStore(1000, clock);
    }
    pipeline = new TokenPipeline(settings, upstream, store, Optional.empty(), null, clock, () -> jitter);
    return pipeline;
  }

  private TokenPipeline pipeline() {
    return pipeline(Map.of());
  }

  private static TokenRequest request(String clientId, String secret, String scope) {
    String body = "grant_type=client_credentials&scope=" + Forms.enc(scope);
    return ((ParsedRequest.ClientCredentialsGrant) TokenRequestParser.parse(Forms.basic(clientId, secret), null, body))
        .request();
  }

  private final TokenRequest svc = request("svc", "secret", "a");

  private Future<Answer> ask() {
    return ask(svc, false);
  }

  private Future<Answer> ask(TokenRequest request, boolean force) {
    return pipeline.token(keys.keyFor(request), request, force);
  }

  private static Answer done(Future<Answer> answer) {
    assertThat(answer.isComplete()).as("answered").isTrue();
    assertThat(answer.succeeded()).as("the pipeline never fails").isTrue();
    return answer.result();
  }

  private static String tokenOf(Answer answer) {
    assertThat(answer).isInstanceOf(Answer.Token.class);
    return new String(((Answer.Token) answer).token().render(T0), StandardCharsets.UTF_8).replaceAll(
        ".*\"access_token\":\"([^\"]*)\".*", "$1");
  }

  /** Fetches {@code access} with {@code expiresIn} at the current time, through one miss. */
  private void warm(String access, long expiresIn) {
    Future<Answer> first = ask();
    upstream.token(access, expiresIn);
    assertThat(done(first).result()).isEqualTo(CacheResult.MISS);
  }

  // ---------------------------------------------------------------------------------------------------------

  @Test
  void aTokenNotLongerThanMinRemainingIsStillCachedAndTheLogSaysSoOnce() {
    ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(TokenPipeline.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
        new ch.qos.logback.core.read.ListAppender<>();
    lines.start();
    log.addAppender(lines);
    ch.qos.logback.classic.Level level = log.getLevel();
    log.setLevel(ch.qos.logback.classic.Level.INFO); // other tests may have raised it
    try {
      pipeline(); // cache.min-remaining 60 s
      Future<Answer> first = ask();
      upstream.token("short", 30);
      assertThat(done(first).result()).isEqualTo(CacheResult.MISS);
      assertThat(done(ask()).result()).as("still cached").isEqualTo(CacheResult.HIT);
      clock.advance(java.time.Duration.ofSeconds(28));
      Future<Answer> again = ask();
      upstream.token("short-2", 30);
      assertThat(done(again).result()).isEqualTo(CacheResult.MISS);

      assertThat(lines.list).filteredOn(e -> e.getFormattedMessage().contains("cache.min-remaining")).singleElement()
          .satisfies(e -> assertThat(e.getFormattedMessage()).contains("live 30 s", "(60 s)", "nine tenths"));
    } finally {
      log.setLevel(level);
      log.detachAppender(lines);
    }
  }

  @Test
  void concurrentMissesMakeOneUpstreamRequestAndShareItsToken() {
    pipeline();
    Future<Answer> first = ask();
    Future<Answer> second = ask();
    Future<Answer> third = ask();
    assertThat(first.isComplete()).isFalse();
    assertThat(upstream.requests()).isEqualTo(1);

    upstream.token("t1", 3600);

    assertThat(done(first).result()).isEqualTo(CacheResult.MISS);
    assertThat(done(second).result()).isEqualTo(CacheResult.COALESCED);
    assertThat(done(third).result()).isEqualTo(CacheResult.COALESCED);
    assertThat(tokenOf(done(third))).isEqualTo("t1");
    assertThat(done(ask()).result()).isEqualTo(CacheResult.HIT);
    assertThat(upstream.requests()).isEqualTo(1);
  }

  @Test
  void aRequestThatJoinsAFlightWhoseOwnerFindsAStoredTokenIsCompletedNotCancelled() {
    // The owner pauses between putIfAbsent and its re-check of the store; meanwhile a second request joins its
    // flight and another flight stores a token. The owner's re-check finds it: both get it, nobody fails.
    AtomicReference<Future<Answer>> joiner = new AtomicReference<>();
    MemoryStore memory = new MemoryStore(1000, clock);
    CacheKey key = keys.keyFor(svc);
    CachedToken landed = CachedToken.fromResponse(
        "{\"access_token\":\"landed\",\"expires_in\":3600}".getBytes(StandardCharsets.UTF_8), T0).orElseThrow();
    int[] reads = {0};
    store = new TokenStore() {
      @Override
      public Optional<StoredToken> get(CacheKey k) {
        reads[0]++;
        if (reads[0] == 2) { // the owner's re-check inside its flight
          joiner.set(ask());
          memory.put(key, new StoredToken("svc", landed, T0.plusSeconds(3540), T0.plusSeconds(3595), T0.plusSeconds(2880)));
        }
        return memory.get(k);
      }

      @Override
      public void put(CacheKey k, StoredToken entry) {
        memory.put(k, entry);
      }

      @Override
      public long size() {
        return memory.size();
      }
    };
    pipeline();

    Answer owner = done(ask());

    assertThat(owner.result()).isEqualTo(CacheResult.HIT);
    assertThat(done(joiner.get()).result()).isEqualTo(CacheResult.COALESCED);
    assertThat(tokenOf(done(joiner.get()))).isEqualTo("landed");
    assertThat(upstream.requests()).isZero();
    assertThat(pipeline.fetchesInFlight()).isZero();
  }

  @Test
  void aFailedFetchHoldsTheKeyForEachBackoffStepThenTriesOnce() {
    pipeline();
    Future<Answer> first = ask();
    upstream.refuse();
    Answer failed = done(first);
    assertThat(failed).isInstanceOf(Answer.Unavailable.class);
    assertThat(((Answer.Unavailable) failed).retryAfter()).contains(Duration.ofSeconds(1));
    assertThat(((Answer.Unavailable) failed).failure().getMessage()).isEqualTo("connection refused by as.example:8443");

    clock.advance(Duration.ofMillis(999));
    Answer held = done(ask());
    assertThat(held.result()).isEqualTo(CacheResult.BACKOFF);
    assertThat(((Answer.Unavailable) held).retryAfter()).contains(Duration.ofMillis(1));
    assertThat(upstream.requests()).isEqualTo(1);

    clock.advance(Duration.ofMillis(1)); // step 1 over: one request
    Future<Answer> second = ask();
    Future<Answer> joined = ask();
    assertThat(upstream.requests()).isEqualTo(2);
    upstream.timeOut();
    assertThat(((Answer.Unavailable) done(second)).failure().kind()).isEqualTo(UpstreamFailure.Kind.TIMEOUT);
    assertThat(done(joined).result()).isEqualTo(CacheResult.COALESCED);

    clock.advance(Duration.ofMillis(1999)); // step 2 lasts 2 s
    assertThat(done(ask()).result()).isEqualTo(CacheResult.BACKOFF);
    assertThat(upstream.requests()).isEqualTo(2);
    clock.advance(Duration.ofMillis(1));
    Future<Answer> third = ask();
    assertThat(upstream.requests()).isEqualTo(3);
    upstream.token("back", 3600);
    assertThat(tokenOf(done(third))).isEqualTo("back");
    assertThat(pipeline.upstreamProblem()).isEmpty();
  }

  @Test
  void backoffStepsDoubleWithJitterUpToTheMaximumAndHonourRetryAfterCapped() {
    Backoff low = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), () -> 0);
    Backoff high = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), () -> 0.999_999);

    assertThat(low.delay(1, Optional.empty())).isEqualTo(Duration.ofSeconds(1));
    assertThat(high.delay(1, Optional.empty())).isBetween(Duration.ofMillis(1499), Duration.ofMillis(1500));
    assertThat(low.delay(3, Optional.empty())).isEqualTo(Duration.ofSeconds(4));
    assertThat(high.delay(3, Optional.empty())).isBetween(Duration.ofMillis(5999), Duration.ofSeconds(6));
    assertThat(low.delay(6, Optional.empty())).isEqualTo(Duration.ofSeconds(32));
    // past the maximum: drawn in [0.75 max, max]
    assertThat(low.delay(7, Optional.empty())).isEqualTo(Duration.ofSeconds(60));
    assertThat(high.delay(7, Optional.empty())).isBetween(Duration.ofSeconds(45), Duration.ofMillis(45_001));
    assertThat(low.delay(500, Optional.empty())).isEqualTo(Duration.ofSeconds(60));
    assertThat(low.delay(1, Optional.of(Duration.ofSeconds(30)))).isEqualTo(Duration.ofSeconds(30));
    assertThat(low.delay(1, Optional.of(Duration.ofHours(2)))).isEqualTo(Duration.ofSeconds(60));
    assertThat(low.delay(4, Optional.of(Duration.ofSeconds(2)))).isEqualTo(Duration.ofSeconds(8));
  }

  @Test
  void aThrottlingAnswerWithRetryAfterPausesTheWholeUpstream() {
    pipeline();
    TokenRequest other = request("other", "pw", "b");
    Future<Answer> first = ask();
    upstream.answer(429, "{\"error\":\"slow_down\"}", "30");
    Answer throttled = done(first);
    assertThat(throttled).isInstanceOf(Answer.Passed.class);
    assertThat(((Answer.Passed) throttled).response().status()).isEqualTo(429);
    assertThat(((Answer.Passed) throttled).retryAfter()).contains(Duration.ofSeconds(30));
    assertThat(pipeline.upstreamState()).isEqualTo(UpstreamHealth.State.PAUSED.ordinal());

    clock.advance(Duration.ofSeconds(29));
    Answer otherKey = done(ask(other, false));
    Answer forwarded = done(pipeline.forward("web", null, null, Buffer.buffer("grant_type=refresh_token&refresh_token=x")));

    assertThat(upstream.requests()).as("no request while Retry-After holds").isEqualTo(1);
    assertThat(otherKey.result()).isEqualTo(CacheResult.BACKOFF);
    assertThat(((Answer.Passed) otherKey).response().status()).isEqualTo(429);
    assertThat(((Answer.Passed) otherKey).retryAfter()).contains(Duration.ofSeconds(1));
    assertThat(forwarded.result()).isEqualTo(CacheResult.BACKOFF);

    clock.advance(Duration.ofSeconds(1));
    Future<Answer> after = ask(other, false);
    assertThat(upstream.requests()).isEqualTo(2);
    upstream.token("t-other", 3600);
    assertThat(done(after).result()).isEqualTo(CacheResult.MISS);
    assertThat(pipeline.upstreamState()).isEqualTo(UpstreamHealth.State.HEALTHY.ordinal());
  }

  @Test
  void cognitosTooManyRequestsExceptionIsThrottlingEvenAsA400() {
    pipeline();
    Future<Answer> first = ask();
    upstream.answer(400, "{\"__type\":\"TooManyRequestsException\",\"message\":\"Rate exceeded\"}");
    done(first);

    assertThat(pipeline.upstreamState()).isEqualTo(UpstreamHealth.State.PAUSED.ordinal());
    assertThat(done(ask(request("x", "y", "z"), false)).result()).isEqualTo(CacheResult.BACKOFF);
    assertThat(upstream.requests()).isEqualTo(1);
  }

  @Test
  void aTokenInsideMinRemainingIsServedStaleUntilItsSafetyMarginWhileTheUpstreamFails() {
    pipeline();
    warm("t1", 1000); // fresh until T0+940, stale until T0+995

    clock.setTo(T0.plusSeconds(941));
    Future<Answer> refresh = ask();
    assertThat(upstream.requests()).isEqualTo(2);
    upstream.answer(503, "{\"error\":\"temporarily_unavailable\"}");
    Answer stale = done(refresh);
    assertThat(stale.result()).isEqualTo(CacheResult.STALE);
    assertThat(tokenOf(stale)).isEqualTo("t1");

    clock.setTo(T0.plusSeconds(994)); // one second before the margin; the key backs off meanwhile
    for (int step = 0; step < 6; step++) {
      Future<Answer> answer = ask();
      if (upstream.waiting() > 0) {
        upstream.answer(503, "{\"error\":\"temporarily_unavailable\"}");
      }
      assertThat(done(answer).result()).isEqualTo(CacheResult.STALE);
    }

    clock.setTo(T0.plusSeconds(995)); // at the margin: never served again
    Future<Answer> last = ask();
    if (upstream.waiting() > 0) {
      upstream.answer(503, "{\"error\":\"temporarily_unavailable\"}");
    }
    Answer gone = done(last);
    assertThat(gone).isInstanceOf(Answer.Passed.class);
    assertThat(((Answer.Passed) gone).response().status()).isEqualTo(503);
  }

  @Test
  void serveStaleOffPassesTheFailureOn() {
    pipeline(Map.of("cache.serve-stale", "false"));
    warm("t1", 1000);
    clock.setTo(T0.plusSeconds(941));
    Future<Answer> refresh = ask();
    upstream.refuse();

    assertThat(done(refresh)).isInstanceOf(Answer.Unavailable.class);
  }

  @Test
  void aCredentialErrorIsReplayedForTheNegativeTtlThenAskedAgain() {
    pipeline();
    TokenRequest wrong = request("svc", "wrong-secret", "a");
    Future<Answer> first = ask(wrong, false);
    upstream.answer(401, "{\"error\":\"invalid_client\"}");
    assertThat(done(first).result()).isEqualTo(CacheResult.MISS);

    for (int i = 0; i < 1000; i++) {
      Answer replayed = done(ask(wrong, false));
      assertThat(replayed.result()).isEqualTo(CacheResult.NEGATIVE);
      assertThat(((Answer.Passed) replayed).response().status()).isEqualTo(401);
    }
    clock.advance(Duration.ofMillis(9_999));
    assertThat(done(ask(wrong, true)).result()).as("a forced refresh obeys it too").isEqualTo(CacheResult.NEGATIVE);
    assertThat(upstream.requests()).isEqualTo(1);

    Future<Answer> right = ask(svc, false); // the right secret is another key: never refused
    upstream.token("good", 3600);
    assertThat(done(right).result()).isEqualTo(CacheResult.MISS);

    clock.advance(Duration.ofMillis(1));
    Future<Answer> again = ask(wrong, false);
    assertThat(upstream.requests()).isEqualTo(3);
    upstream.answer(401, "{\"error\":\"invalid_client\"}");
    assertThat(done(again).result()).isEqualTo(CacheResult.MISS);
    assertThat(pipeline.upstreamProblem()).as("a credential error is not an upstream failure").isEmpty();
  }

  @Test
  void otherErrorsAreNeitherNegativeNorBackoff() {
    pipeline();
    Future<Answer> first = ask();
    upstream.answer(400, "{\"error\":\"invalid_grant\"}");
    done(first);
    Future<Answer> second = ask();

    assertThat(upstream.requests()).isEqualTo(2);
    upstream.answer(200, "{\"no_token\":true}");
    assertThat(done(second).result()).isEqualTo(CacheResult.MISS);
    assertThat(pipeline.keysOnHold()).isZero();
  }

  @Test
  void forcedRefreshGoesUpstreamOncePerIntervalFromTheLastForcedRefreshEvenAFailedOne() {
    pipeline();
    warm("t1", 3600);

    Future<Answer> forced = ask(svc, true); // right after the fetch: still refreshes once
    assertThat(upstream.requests()).isEqualTo(2);
    upstream.token("t2", 3600);
    assertThat(done(forced).result()).isEqualTo(CacheResult.REFRESH);
    assertThat(tokenOf(done(forced))).isEqualTo("t2");

    clock.advance(Duration.ofMillis(9_999));
    Answer inside = done(ask(svc, true));
    assertThat(inside.result()).isEqualTo(CacheResult.HIT);
    assertThat(tokenOf(inside)).isEqualTo("t2");
    assertThat(upstream.requests()).isEqualTo(2);

    clock.advance(Duration.ofMillis(1));
    Future<Answer> failing = ask(svc, true);
    assertThat(upstream.requests()).isEqualTo(3);
    upstream.answer(500, "{\"error\":\"server_error\"}");
    Answer kept = done(failing);
    assertThat(kept.result()).as("a failed forced refresh keeps the valid token").isEqualTo(CacheResult.HIT);
    assertThat(tokenOf(kept)).isEqualTo("t2");

    clock.advance(Duration.ofSeconds(5)); // backoff over, but the window counts from the failed refresh
    assertThat(done(ask(svc, true)).result()).isEqualTo(CacheResult.HIT);
    assertThat(upstream.requests()).isEqualTo(3);
    clock.advance(Duration.ofSeconds(5));
    ask(svc, true);
    assertThat(upstream.requests()).isEqualTo(4);
  }

  @Test
  void refreshAheadMakesOneBackgroundAttemptPerBackoffStep() {
    pipeline();
    warm("t1", 1000); // refresh point 800 s with jitter 0

    clock.setTo(T0.plusSeconds(799));
    done(ask());
    assertThat(upstream.requests()).isEqualTo(1);

    clock.setTo(T0.plusSeconds(800));
    for (int i = 0; i < 50; i++) {
      Answer hit = done(ask());
      assertThat(hit.result()).as("nobody waits for the refresh").isEqualTo(CacheResult.HIT);
    }
    assertThat(upstream.requests()).isEqualTo(2);
    upstream.answer(503, "{}");

    for (int i = 0; i < 50; i++) {
      assertThat(done(ask()).result()).isEqualTo(CacheResult.HIT);
    }
    assertThat(upstream.requests()).as("none during the backoff step").isEqualTo(2);

    clock.advance(Duration.ofSeconds(1));
    for (int i = 0; i < 50; i++) {
      done(ask());
    }
    assertThat(upstream.requests()).isEqualTo(3);
    upstream.token("t2", 1000);
    assertThat(tokenOf(done(ask()))).isEqualTo("t2");
  }

  @Test
  void refreshAheadPointIsDrawnUpToTenPercentEarlier() {
    jitter = 0.999_999;
    pipeline();
    warm("t1", 1000); // refresh point 800 · (1 − 0.1) = 720 s

    clock.setTo(T0.plusSeconds(719));
    done(ask());
    assertThat(upstream.requests()).isEqualTo(1);
    clock.setTo(T0.plusSeconds(721));
    done(ask());
    assertThat(upstream.requests()).isEqualTo(2);
  }

  @Test
  void aTokenShorterThanMinRemainingIsCachedAndServed() {
    pipeline();
    warm("short", 60);
    clock.advance(Duration.ofSeconds(54));

    Answer hit = done(ask());
    assertThat(hit.result()).isEqualTo(CacheResult.HIT);
    assertThat(upstream.requests()).as("refresh ahead at 48 s started one fetch").isEqualTo(2);
  }

  @Test
  void readinessAndStateFollowTheUpstream() {
    pipeline();
    Future<Answer> first = ask();
    upstream.timeOut();
    done(first);

    assertThat(pipeline.upstreamState()).isEqualTo(UpstreamHealth.State.FAILING.ordinal());
    assertThat(pipeline.upstreamProblem()).hasValueSatisfying(problem -> assertThat(problem).contains("as.example:8443"));
    assertThat(pipeline.keysOnHold()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(1));
    Future<Answer> second = ask();
    upstream.token("t", 3600);
    done(second);
    assertThat(pipeline.upstreamState()).isEqualTo(UpstreamHealth.State.HEALTHY.ordinal());
    assertThat(pipeline.keysOnHold()).isZero();
  }

  @Test
  void whenTheUpstreamAnswersAgainEveryKeysBackoffEnds() {
    pipeline();
    TokenRequest other = request("other", "pw", "b");
    for (int step = 0; step < 5; step++) { // steps of 1, 2, 4, 8, 16 s
      Future<Answer> failing = ask();
      upstream.refuse();
      done(failing);
      clock.advance(Duration.ofSeconds(1L << step));
    }
    Future<Answer> sixth = ask();
    upstream.refuse(); // step 6: 32 s
    done(sixth);
    assertThat(done(ask()).result()).isEqualTo(CacheResult.BACKOFF);

    Future<Answer> newcomer = ask(other, false); // another key: the upstream has recovered
    upstream.token("t-other", 3600);
    assertThat(done(newcomer).result()).isEqualTo(CacheResult.MISS);

    Future<Answer> released = ask();
    assertThat(upstream.requests()).as("the backed-off key asks at once").isEqualTo(8);
    upstream.token("t", 3600);
    assertThat(done(released).result()).isEqualTo(CacheResult.MISS);
  }

  @Test
  void aClientOverItsBudgetIsLimitedWithoutAnUpstreamRequestAndOtherClientsAreNot() {
    pipeline(); // 5 per second per client, burst 50
    for (int i = 0; i < 50; i++) {
      Future<Answer> cold = ask(request("greedy", "secret", "scope-" + i), false);
      upstream.token("t" + i, 3600);
      assertThat(done(cold).result()).isEqualTo(CacheResult.MISS);
    }
    Answer limited = done(ask(request("greedy", "secret", "scope-50"), false));
    assertThat(limited).isInstanceOf(Answer.Limited.class);
    assertThat(((Answer.Limited) limited).retryAfter()).isEqualTo(Duration.ofMillis(200));
    assertThat(((Answer.Limited) limited).budget()).isEqualTo("client");
    assertThat(done(ask(request("greedy", "secret", "scope-7"), false)).result()).as("hits are never limited")
        .isEqualTo(CacheResult.HIT);
    assertThat(upstream.requests()).isEqualTo(50);

    Future<Answer> modest = ask(request("modest", "secret", "a"), false);
    upstream.token("m", 3600);
    assertThat(done(modest).result()).isEqualTo(CacheResult.MISS);

    clock.advance(Duration.ofMillis(200));
    Future<Answer> refilled = ask(request("greedy", "secret", "scope-50"), false);
    assertThat(upstream.requests()).isEqualTo(52);
    upstream.token("t50", 3600);
    assertThat(done(refilled).result()).isEqualTo(CacheResult.MISS);
    assertThat(pipeline.limited(Budgets.Scope.CLIENT)).isEqualTo(1);
  }

  @Test
  void theTotalBudgetLimitsEveryClientTogether() {
    pipeline(Map.of("upstream.max-rate", "2"));
    for (String client : new String[] {"a", "b"}) {
      Future<Answer> miss = ask(request(client, "secret", "s"), false);
      upstream.token(client, 3600);
      done(miss);
    }
    Answer third = done(ask(request("c", "secret", "s"), false));
    Answer forwarded = done(pipeline.forward("d", null, null, Buffer.buffer("grant_type=refresh_token")));

    assertThat(((Answer.Limited) third).budget()).isEqualTo("total");
    assertThat(((Answer.Limited) third).retryAfter()).isEqualTo(Duration.ofMillis(500));
    assertThat(forwarded.result()).isEqualTo(CacheResult.LIMITED);
    assertThat(upstream.requests()).isEqualTo(2);
    assertThat(pipeline.limited(Budgets.Scope.TOTAL)).isEqualTo(2);
  }

  @Test
  void aLimitedRequestStillGetsAValidToken() {
    pipeline(Map.of("upstream.max-rate-per-client", "0.1")); // burst of one
    warm("t1", 1000);
    clock.setTo(T0.plusSeconds(945)); // inside min-remaining: wants a new token
    ask(request("svc", "secret", "other-scope"), false); // ... but this spends the client's one slot

    Answer stale = done(ask());
    assertThat(stale.result()).isEqualTo(CacheResult.STALE);
    assertThat(upstream.requests()).isEqualTo(2);
  }

  @Test
  void anAnswerNoTokenEndpointGivesIsReportedUntilAProperOneComes() {
    pipeline();
    Future<Answer> page = ask();
    upstream.html(200);
    assertThat(done(page).result()).isEqualTo(CacheResult.MISS);
    assertThat(pipeline.upstreamProblem()).hasValueSatisfying(problem -> assertThat(problem)
        .contains("an HTML page (status 200)").contains("upstream.token-url"));
    assertThat(pipeline.notOAuthAnswers()).isEqualTo(1);

    Future<Answer> rejected = ask(request("other", "pw", "x"), false);
    upstream.answer(401, "{\"error\":\"invalid_client\"}");
    done(rejected);
    assertThat(pipeline.upstreamProblem()).as("an OAuth2 error is a proper answer").isEmpty();
  }

  @Test
  void theStartUpProbeExpectsAnOAuthErrorWithoutCredentials() {
    pipeline();
    Future<Optional<String>> wrongUrl = pipeline.probe();
    upstream.html(405);
    assertThat(wrongUrl.result()).hasValueSatisfying(problem -> assertThat(problem).startsWith("status 405"));
    assertThat(pipeline.upstreamProblem()).isPresent();

    Future<Optional<String>> tokenEndpoint = pipeline.probe();
    upstream.answer(401, "{\"error\":\"invalid_client\",\"error_description\":\"no credentials\"}");
    assertThat(tokenEndpoint.result()).isEmpty();
    Future<Optional<String>> down = pipeline.probe();
    upstream.refuse();
    assertThat(down.result()).contains("connection refused by as.example:8443");
  }

  @Test
  void holdsSurviveTheSharedStoreCodec() {
    KeyState.Hold negative = new KeyState.Hold.Negative(new dev.tokencache.upstream.UpstreamResponse(401,
        "application/json", "Basic realm=\"as\"", null, "{\"error\":\"invalid_client\"}".getBytes(StandardCharsets.UTF_8),
        5), T0.plusSeconds(10));
    KeyState.Hold refused = new KeyState.Hold.Backoff(new Failure.NoAnswer(
        new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT, "no answer from as.example:8443 within 5000 ms")),
        T0.plusMillis(1500));

    HoldCodec.Decoded first = HoldCodec.decode(HoldCodec.encode(negative, 0)).orElseThrow();
    HoldCodec.Decoded second = HoldCodec.decode(HoldCodec.encode(refused, 3)).orElseThrow();

    assertThat(first.hold().until()).isEqualTo(T0.plusSeconds(10));
    assertThat(((KeyState.Hold.Negative) first.hold()).answer().wwwAuthenticate()).isEqualTo("Basic realm=\"as\"");
    assertThat(second.failures()).isEqualTo(3);
    assertThat(((Failure.NoAnswer) ((KeyState.Hold.Backoff) second.hold()).last()).failure().kind())
        .isEqualTo(UpstreamFailure.Kind.TIMEOUT);
    assertThat(HoldCodec.decode(new byte[] {7, 1, 2})).isEmpty();
  }
}
