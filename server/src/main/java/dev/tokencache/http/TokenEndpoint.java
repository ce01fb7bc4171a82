package dev.tokencache.http;

import dev.tokencache.cache.CacheResult;
import dev.tokencache.cache.Fetched;
import dev.tokencache.cache.Lookup;
import dev.tokencache.cache.TokenCache;
import dev.tokencache.config.Settings;
import dev.tokencache.request.InvalidTokenRequest;
import dev.tokencache.request.ParsedRequest;
import dev.tokencache.request.TokenRequestParser;
import dev.tokencache.token.CacheKey;
import dev.tokencache.token.CacheKeyDeriver;
import dev.tokencache.token.OAuthError;
import dev.tokencache.token.TokenRequest;
import dev.tokencache.tracing.Tracing;
import io.opentelemetry.context.Scope;
import dev.tokencache.upstream.UpstreamClient;
import dev.tokencache.upstream.UpstreamFailure;
import dev.tokencache.upstream.UpstreamResponse;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token endpoint (SPEC §2). Runs on the event loop of the connection; never blocks. A cache hit is a
 * parse, one HMAC, one map lookup and one small write; only a miss reaches the {@link UpstreamClient}.
 * Every request ends in exactly one {@link RequestRecord} for the {@link RequestObserver}.
 */
public final class TokenEndpoint implements Handler<HttpServerRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(TokenEndpoint.class);
  private static final String FORM = "application/x-www-form-urlencoded";

  private final Settings settings;
  private final TokenCache cache;
  private final CacheKeyDeriver keys;
  private final UpstreamClient upstream;
  private final InstantSource clock;
  private final RequestObserver observer;
  private final Tracing tracing;

  public TokenEndpoint(Settings settings, TokenCache cache, CacheKeyDeriver keys, UpstreamClient upstream,
      InstantSource clock, RequestObserver observer, Tracing tracing) {
    this.tracing = tracing;
    this.settings = settings;
    this.cache = cache;
    this.keys = keys;
    this.upstream = upstream;
    this.clock = clock;
    this.observer = observer;
  }

  @Override
  public void handle(HttpServerRequest request) {
    boolean tokenPath = settings.server().tokenPath().equals(request.path());
    Exchange exchange = new Exchange(request, tokenPath ? request.path() : "unmatched", observer, clock, tracing);
    if (!tokenPath) {
      Responses.error(exchange, CacheResult.BYPASS,
          new OAuthError(404, "invalid_request", "no such endpoint; tokens are at " + settings.server().tokenPath()));
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
    BodyReader.read(exchange, settings.server().maxBody(), body -> onBody(exchange, body));
  }

  private static boolean isForm(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String mediaType = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
    return mediaType.toLowerCase(Locale.ROOT).equals(FORM);
  }

  private void onBody(Exchange exchange, Buffer body) {
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
      serve(exchange, grant.request());
    } else {
      passThrough(exchange, body);
    }
  }

  private void serve(Exchange exchange, TokenRequest tokenRequest) {
    exchange.client(tokenRequest.credentials().clientId(), tokenRequest.scope());
    CacheKey key = keys.keyFor(tokenRequest);
    Lookup lookup;
    try (Scope ignored = exchange.activate()) {
      lookup = cache.lookup(key, tokenRequest, wantsFreshToken(exchange.request.getHeader(HttpHeaders.CACHE_CONTROL)));
    }
    if (lookup instanceof Lookup.Hit hit) {
      Responses.token(exchange, CacheResult.HIT, hit.token().render(clock.instant()));
      return;
    }
    Lookup.Pending pending = (Lookup.Pending) lookup;
    Context context = Vertx.currentContext();
    Future.fromCompletionStage(pending.fetch(), context).onComplete(outcome -> {
      if (outcome.succeeded()) {
        answer(exchange, pending.result(), outcome.result());
      } else {
        fail(exchange, pending.result(), outcome.cause());
      }
    });
  }

  private void answer(Exchange exchange, CacheResult pending, Fetched fetched) {
    // a miss answered from the shared tier (another instance's token) asked no upstream: a hit
    CacheResult result = pending == CacheResult.MISS && fetched.response() == null ? CacheResult.HIT : pending;
    exchange.upstream(fetched.upstreamNanos());
    if (fetched.token().isPresent()) {
      Responses.token(exchange, result, fetched.token().get().render(clock.instant()));
    } else {
      passThrough(exchange, result, fetched.response());
    }
  }

  private void passThrough(Exchange exchange, Buffer body) {
    if (settings.proxy().otherGrants() == Settings.OtherGrants.REJECT) {
      Responses.error(exchange, CacheResult.BYPASS,
          OAuthError.unsupportedGrantType("this proxy serves only the client_credentials grant"));
      return;
    }
    HttpServerRequest request = exchange.request;
    Future<UpstreamResponse> forwarded;
    try (Scope ignored = exchange.activate()) {
      forwarded = upstream.forward(request.query(), request.getHeader(HttpHeaders.AUTHORIZATION), body);
    }
    forwarded.onComplete(outcome -> {
      if (outcome.succeeded()) {
        exchange.upstream(outcome.result().elapsedNanos());
        passThrough(exchange, CacheResult.BYPASS, outcome.result());
      } else {
        fail(exchange, CacheResult.BYPASS, outcome.cause());
      }
    });
  }

  private static void passThrough(Exchange exchange, CacheResult result, UpstreamResponse upstream) {
    Responses.passThrough(exchange, result, upstream.status(), upstream.contentType(), upstream.wwwAuthenticate(),
        upstream.body());
  }

  private static void fail(Exchange exchange, CacheResult result, Throwable cause) {
    Throwable failure = cause instanceof CompletionException && cause.getCause() != null ? cause.getCause() : cause;
    if (failure instanceof UpstreamFailure upstreamFailure) {
      exchange.upstream(upstreamFailure.elapsedNanos());
      LOG.warn("upstream: {} (request {})", upstreamFailure.getMessage(), exchange.requestId());
      Responses.error(exchange, result, upstreamFailure.kind() == UpstreamFailure.Kind.TIMEOUT
          ? OAuthError.upstreamTimeout(upstreamFailure.getMessage())
          : OAuthError.upstreamUnavailable(upstreamFailure.getMessage()));
    } else {
      LOG.error("unexpected failure while answering request {}: {}", exchange.requestId(), failure.getClass().getName());
      Responses.error(exchange, result, new OAuthError(500, "server_error", "the proxy failed; see its log"));
    }
  }

  /** {@code Cache-Control: no-cache} or {@code max-age=0} asks for a fresh token (SPEC §2, forced refresh). */
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
