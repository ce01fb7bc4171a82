package dev.tokencache.http;

import org.jspecify.annotations.Nullable;
import dev.tokencache.cache.CacheResult;
import dev.tokencache.config.Settings;
import dev.tokencache.edge.HttpEdge;
import dev.tokencache.pipeline.Answer;
import dev.tokencache.pipeline.Budgets;
import dev.tokencache.pipeline.TokenPipeline;
import dev.tokencache.request.InvalidTokenRequest;
import dev.tokencache.request.ParsedRequest;
import dev.tokencache.request.TokenRequestParser;
import dev.tokencache.token.CacheKey;
import dev.tokencache.token.OAuthError;
import dev.tokencache.token.TokenRequest;
import dev.tokencache.tracing.Tracing;
import dev.tokencache.upstream.RetryAfter;
import dev.tokencache.upstream.UpstreamFailure;
import dev.tokencache.upstream.UpstreamResponse;
import io.opentelemetry.context.Scope;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token endpoint: HTTP in, HTTP out. Runs on the event loop of the connection; never blocks. It parses and
 * validates the request, derives the cache key, and hands every request it accepts, client credentials and other
 * grants alike, to the {@link TokenPipeline}, whose {@link Answer} it writes. A cache hit is a parse, one HMAC,
 * one map lookup and one small write. Every request ends in exactly one {@link RequestRecord} for the
 * {@link RequestObserver}.
 */
public final class TokenEndpoint implements Handler<HttpServerRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(TokenEndpoint.class);
  private static final String FORM = "application/x-www-form-urlencoded";
  private static final OAuthError SHUTTING_DOWN = new OAuthError(503, "temporarily_unavailable",
      "the proxy is shutting down and could not finish this request in time; retry");

  private final Settings settings;
  private final java.util.Map<String, Route> routes;
  private final String servedPaths;
  private final InstantSource clock;
  private final RequestObserver observer;
  private final Tracing tracing;
  private final InFlight inFlight = new InFlight();

  /** @param routes the upstreams served, each at its own path */
  public TokenEndpoint(Settings settings, java.util.List<Route> routes, InstantSource clock, RequestObserver observer,
      Tracing tracing) {
    this.tracing = tracing;
    this.settings = settings;
    java.util.Map<String, Route> byPath = new java.util.HashMap<>();
    routes.forEach(route -> byPath.put(route.path(), route));
    this.routes = java.util.Map.copyOf(byPath);
    this.servedPaths = String.join(", ", routes.stream().map(Route::path).toList());
    this.clock = clock;
    this.observer = observer;
  }

  @Override
  public void handle(HttpServerRequest request) {
    Route route = routes.get(request.path());
    Exchange exchange = route == null
        ? new Exchange(request, "unmatched", Exchange.NO_UPSTREAM, observer, clock, tracing)
        : new Exchange(request, route.path(), route.upstream(), observer, clock, tracing);
    if (route == null) {
      Responses.error(exchange, CacheResult.BYPASS,
          new OAuthError(404, "invalid_request", "no such endpoint; tokens are at " + servedPaths));
      return;
    }
    if (request.method() != HttpMethod.POST) {
      request.response().putHeader(HttpHeaders.ALLOW, "POST");
      Responses.error(exchange, CacheResult.BYPASS,
          new OAuthError(405, "invalid_request", "the token endpoint accepts only POST"));
      return;
    }
    if (!isForm(request.getHeader(HttpHeaders.CONTENT_TYPE))) {
      Responses.error(exchange, CacheResult.BYPASS,
          OAuthError.invalidRequest("Content-Type must be application/x-www-form-urlencoded"));
      return;
    }
    BodyReader.read(exchange, settings.server().maxBody(), body -> onBody(exchange, route, body));
  }

  /**
   * A request the connection's decoder refused (bad framing, version, target or {@code Host}): a fixed OAuth2 error
   * that repeats nothing of the request, and the connection closed after it (what follows on it cannot be trusted).
   */
  public void invalid(HttpServerRequest request) {
    HttpEdge.Refusal refusal = HttpEdge.refusalOf(request);
    Exchange exchange = new Exchange(request, "invalid", Exchange.NO_UPSTREAM, observer, clock, tracing);
    request.response().putHeader(HttpHeaders.CONNECTION, "close");
    Responses.error(exchange, CacheResult.BYPASS,
        new OAuthError(refusal.status(), "invalid_request", refusal.description()));
  }

  private static boolean isForm(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String mediaType = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
    return mediaType.toLowerCase(Locale.ROOT).equals(FORM);
  }

  private void onBody(Exchange exchange, Route route, Buffer body) {
    HttpServerRequest request = exchange.request;
    ParsedRequest parsed;
    try {
      parsed = TokenRequestParser.parse(request.getHeader(HttpHeaders.AUTHORIZATION), request.query(),
          body.toString(StandardCharsets.UTF_8));
    } catch (InvalidTokenRequest e) {
      Responses.error(exchange, CacheResult.BYPASS, e.error());
      return;
    }
    if (parsed instanceof ParsedRequest.ClientCredentialsGrant grant) {
      serve(exchange, route, grant.request());
    } else {
      passThrough(exchange, route, ((ParsedRequest.OtherGrant) parsed).clientId(), body);
    }
  }

  private void serve(Exchange exchange, Route route, TokenRequest tokenRequest) {
    exchange.client(tokenRequest.credentials().clientId(), tokenRequest.scopes());
    CacheKey key = route.keys().keyFor(tokenRequest);
    Future<Answer> answer;
    try (Scope ignored = exchange.activate()) {
      answer = route.pipeline().token(key, tokenRequest,
          wantsFreshToken(exchange.request.getHeader(HttpHeaders.CACHE_CONTROL)));
    }
    if (answer.isComplete()) { // a hit: answered at once, no listener to allocate, no second clock read
      write(exchange, answer, exchange.arrived());
    } else {
      awaitAnswer(exchange, answer);
    }
  }

  /** Writes {@code answer} when it completes, unless {@link #abandonWaiting} answered the request first. */
  private void awaitAnswer(Exchange exchange, Future<Answer> answer) {
    inFlight.add(exchange);
    answer.onComplete(done -> {
      if (inFlight.remove(exchange)) {
        write(exchange, done, clock.instant());
      }
    });
  }

  /**
   * Answers every request still waiting for the authorization server with 503 and {@code Connection: close}: the
   * shutdown grace has ended, and a clear error lets the client retry elsewhere where a cut connection would not.
   * Each answer is written on its connection's event loop. Returns how many requests were waiting.
   */
  public int abandonWaiting() {
    return inFlight.abandon(exchange -> {
      exchange.response().putHeader(HttpHeaders.CONNECTION, "close");
      Responses.refusal(exchange, CacheResult.BYPASS, SHUTTING_DOWN, "1", true);
    });
  }

  private void passThrough(Exchange exchange, Route route, String clientId, Buffer body) {
    if (settings.proxy().otherGrants() == Settings.OtherGrants.REJECT) {
      Responses.error(exchange, CacheResult.BYPASS,
          OAuthError.unsupportedGrantType("this proxy serves only the client_credentials grant"));
      return;
    }
    HttpServerRequest request = exchange.request;
    Future<Answer> answer;
    try (Scope ignored = exchange.activate()) {
      answer = route.pipeline().forward(clientId, request.query(), request.getHeader(HttpHeaders.AUTHORIZATION), body);
    }
    awaitAnswer(exchange, answer);
  }

  /**
   * Writes the pipeline's answer; a token's {@code expires_in} is counted from {@code now}. The pipeline never
   * fails; if it did, that is a bug: 500, logged.
   */
  private void write(Exchange exchange, AsyncResult<Answer> done, java.time.Instant now) {
    if (done.failed()) {
      LOG.error("unexpected failure while answering request {}: {}", exchange.requestId(), done.cause().toString());
      Responses.error(exchange, CacheResult.BYPASS, new OAuthError(500, "server_error", "the proxy failed; see its log"));
      return;
    }
    Answer answer = done.result();
    exchange.upstream(answer.upstreamNanos());
    if (answer instanceof Answer.Token token) {
      Responses.token(exchange, token.result(), token.token().render(now));
    } else if (answer instanceof Answer.Passed passed) {
      UpstreamResponse upstream = passed.response();
      Responses.passThrough(exchange, passed.result(), upstream.status(), upstream.contentType(),
          upstream.wwwAuthenticate(), retryAfter(passed.retryAfter(), upstream), upstream.body());
    } else if (answer instanceof Answer.Limited limited) {
      Responses.refusal(exchange, CacheResult.LIMITED, OAuthError.slowDown("too many requests to the authorization "
          + "server for this " + (limited.scope() == Budgets.Scope.CLIENT ? "client" : "proxy") + "; retry later"),
          RetryAfter.format(limited.retryAfter()), false);
    } else {
      Answer.Unavailable unavailable = (Answer.Unavailable) answer;
      UpstreamFailure failure = unavailable.failure();
      OAuthError error = failure.kind() == UpstreamFailure.Kind.TIMEOUT
          ? OAuthError.upstreamTimeout(failure.description())
          : OAuthError.upstreamUnavailable(failure.description());
      Responses.refusal(exchange, unavailable.result(), error,
          unavailable.retryAfter().map(RetryAfter::format).orElse(null), unavailable.result() != CacheResult.BACKOFF);
    }
  }

  /** Ours when the key or upstream backs off; else the upstream's own, on the statuses that carry one. */
  private static @Nullable String retryAfter(java.util.Optional<java.time.Duration> ours, UpstreamResponse upstream) {
    if (ours.isPresent()) {
      return RetryAfter.format(ours.get());
    }
    int status = upstream.status();
    return status == 429 || status == 503 ? upstream.retryAfter() : null;
  }

  /** {@code Cache-Control: no-cache} or {@code max-age=0} asks for a fresh token (forced refresh, docs/token-endpoint.md). */
  static boolean wantsFreshToken(String cacheControl) {
    if (cacheControl == null) {
      return false;
    }
    for (String directive : cacheControl.split(",")) {
      String d = directive.trim().toLowerCase(Locale.ROOT);
      if (d.equals("no-cache") || d.equals("max-age=0") || d.equals("max-age=\"0\"")) {
        return true;
      }
    }
    return false;
  }
}
