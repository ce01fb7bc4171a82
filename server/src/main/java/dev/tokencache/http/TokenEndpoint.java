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
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token endpoint (SPEC §2). Runs on the event loop of the connection; never blocks. A cache hit is a
 * parse, one HMAC, one map lookup and one small write; only a miss reaches the {@link UpstreamClient}.
 */
public final class TokenEndpoint implements Handler<HttpServerRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(TokenEndpoint.class);
  private static final String FORM = "application/x-www-form-urlencoded";

  private final Settings settings;
  private final TokenCache cache;
  private final CacheKeyDeriver keys;
  private final UpstreamClient upstream;
  private final InstantSource clock;

  public TokenEndpoint(Settings settings, TokenCache cache, CacheKeyDeriver keys, UpstreamClient upstream,
      InstantSource clock) {
    this.settings = settings;
    this.cache = cache;
    this.keys = keys;
    this.upstream = upstream;
    this.clock = clock;
  }

  @Override
  public void handle(HttpServerRequest request) {
    HttpServerResponse response = request.response();
    if (!settings.server().tokenPath().equals(request.path())) {
      Responses.error(response, CacheResult.BYPASS,
          new OAuthError(404, "invalid_request", "no such endpoint; tokens are at " + settings.server().tokenPath()));
      return;
    }
    if (request.method() != HttpMethod.POST) {
      response.putHeader(HttpHeaders.ALLOW, "POST");
      Responses.error(response, CacheResult.BYPASS,
          new OAuthError(405, "invalid_request", "the token endpoint accepts only POST"));
      return;
    }
    if (!isForm(request.getHeader(HttpHeaders.CONTENT_TYPE))) {
      Responses.error(response, CacheResult.BYPASS,
          OAuthError.invalidRequest("Content-Type must be application/x-www-form-urlencoded"));
      return;
    }
    BodyReader.read(request, settings.server().maxBody(), body -> onBody(request, body));
  }

  private static boolean isForm(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String mediaType = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
    return mediaType.toLowerCase(Locale.ROOT).equals(FORM);
  }

  private void onBody(HttpServerRequest request, Buffer body) {
    ParsedRequest parsed;
    try {
      parsed = TokenRequestParser.parse(request.getHeader(HttpHeaders.AUTHORIZATION), request.query(),
          body.toString(StandardCharsets.UTF_8));
    } catch (InvalidTokenRequest e) {
      Responses.error(request.response(), CacheResult.BYPASS, e.error());
      return;
    }
    if (parsed instanceof ParsedRequest.ClientCredentialsGrant grant) {
      serve(request, grant.request());
    } else {
      passThrough(request, body);
    }
  }

  private void serve(HttpServerRequest request, TokenRequest tokenRequest) {
    CacheKey key = keys.keyFor(tokenRequest);
    Lookup lookup = cache.lookup(key, tokenRequest, wantsFreshToken(request.getHeader(HttpHeaders.CACHE_CONTROL)));
    if (lookup instanceof Lookup.Hit hit) {
      Responses.token(request.response(), CacheResult.HIT, hit.token().render(clock.instant()));
      return;
    }
    Lookup.Pending pending = (Lookup.Pending) lookup;
    Context context = Vertx.currentContext();
    Future.fromCompletionStage(pending.fetch(), context).onComplete(outcome -> {
      if (outcome.succeeded()) {
        answer(request.response(), pending.result(), outcome.result());
      } else {
        fail(request.response(), pending.result(), outcome.cause());
      }
    });
  }

  private void answer(HttpServerResponse response, CacheResult result, Fetched fetched) {
    if (fetched.token().isPresent()) {
      Responses.token(response, result, fetched.token().get().render(clock.instant()));
    } else {
      passThrough(response, result, fetched.response());
    }
  }

  private void passThrough(HttpServerRequest request, Buffer body) {
    if (settings.proxy().otherGrants() == Settings.OtherGrants.REJECT) {
      Responses.error(request.response(), CacheResult.BYPASS,
          OAuthError.unsupportedGrantType("this proxy serves only the client_credentials grant"));
      return;
    }
    upstream.forward(request.query(), request.getHeader(HttpHeaders.AUTHORIZATION), body).onComplete(outcome -> {
      if (outcome.succeeded()) {
        passThrough(request.response(), CacheResult.BYPASS, outcome.result());
      } else {
        fail(request.response(), CacheResult.BYPASS, outcome.cause());
      }
    });
  }

  private static void passThrough(HttpServerResponse response, CacheResult result, UpstreamResponse upstream) {
    Responses.passThrough(response, result, upstream.status(), upstream.contentType(), upstream.wwwAuthenticate(),
        upstream.body());
  }

  private static void fail(HttpServerResponse response, CacheResult result, Throwable cause) {
    Throwable failure = cause instanceof CompletionException && cause.getCause() != null ? cause.getCause() : cause;
    if (failure instanceof UpstreamFailure upstreamFailure) {
      LOG.warn("upstream: {}", upstreamFailure.getMessage());
      Responses.error(response, result, upstreamFailure.kind() == UpstreamFailure.Kind.TIMEOUT
          ? OAuthError.upstreamTimeout(upstreamFailure.getMessage())
          : OAuthError.upstreamUnavailable(upstreamFailure.getMessage()));
    } else {
      LOG.error("unexpected failure while answering a token request: {}", failure.getClass().getName());
      Responses.error(response, result, new OAuthError(500, "server_error", "the proxy failed; see its log"));
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
