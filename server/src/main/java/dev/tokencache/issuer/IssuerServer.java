package dev.tokencache.issuer;

import org.jspecify.annotations.Nullable;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.tokencache.request.InvalidTokenRequest;
import dev.tokencache.request.ParsedRequest;
import dev.tokencache.request.TokenRequestParser;
import dev.tokencache.token.OAuthError;
import dev.tokencache.token.TokenRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code tokencache issuer}: a small, real OAuth2 authorization server for local work and demos. It grants
 * client credentials ({@code client_secret_basic} and {@code client_secret_post}) and issues RS256 JWT access
 * tokens with Cognito-like claims; it publishes a JWKS and discovery documents so resource servers can verify
 * them, and counts the token requests it answered ({@code GET /metrics}).
 *
 * <p>Endpoints: {@code POST /oauth2/token}, {@code GET /.well-known/jwks.json},
 * {@code GET /.well-known/openid-configuration}, {@code GET /.well-known/oauth-authorization-server},
 * {@code GET /metrics}. Requests are handled on the event loop; signing runs on a worker thread.
 */
public final class IssuerServer {
  /** Where the issuer listens and what it issues. */
  public record Options(String host, int port, Duration tokenLifetime, @Nullable String issuerUrl, ClientRegistry clients) {}

  private static final String FORM = "application/x-www-form-urlencoded";
  private static final String JSON = "application/json";

  private final Vertx vertx;
  private final Options options;
  private final InstantSource clock;
  private final TokenSigner signer = new TokenSigner();
  private final AtomicLong tokenRequests = new AtomicLong();
  private final AtomicLong tokensIssued = new AtomicLong();
  private final HttpServer server;
  /** Known once bound (it may name the bound port); nothing is answered before. */
  private String issuer = "";

  private IssuerServer(Vertx vertx, Options options, InstantSource clock) {
    this.vertx = vertx;
    this.options = options;
    this.clock = clock;
    this.server = vertx.createHttpServer(new HttpServerOptions().setHost(options.host()).setPort(options.port()))
        .requestHandler(this::handle);
  }

  /** Starts the issuer; the future completes once it listens. */
  public static Future<IssuerServer> start(Vertx vertx, Options options, InstantSource clock) {
    IssuerServer issuer = new IssuerServer(vertx, options, clock);
    return issuer.server.listen().map(bound -> {
      String configured = options.issuerUrl();
      issuer.issuer = configured != null
          ? configured
          : "http://" + ("0.0.0.0".equals(options.host()) ? "127.0.0.1" : options.host()) + ":" + bound.actualPort();
      return issuer;
    });
  }

  public int port() {
    return server.actualPort();
  }

  /** The {@code iss} of issued tokens, also the base of every endpoint URL. */
  public String issuer() {
    return issuer;
  }

  public String tokenUrl() {
    return issuer + "/oauth2/token";
  }

  /** Token requests answered so far, successful or not. */
  public long tokenRequests() {
    return tokenRequests.get();
  }

  /** Tokens issued so far. */
  public long tokensIssued() {
    return tokensIssued.get();
  }

  public Future<Void> stop() {
    return server.shutdown();
  }

  private void handle(HttpServerRequest request) {
    String path = request.path();
    if (path.equals("/oauth2/token")) {
      token(request);
    } else if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
      error(request.response(), new OAuthError(405, "invalid_request", "use GET"));
    } else if (path.equals("/.well-known/jwks.json")) {
      send(request.response(), 200, JSON, signer.jwks());
    } else if (path.equals("/.well-known/openid-configuration") || path.equals("/.well-known/oauth-authorization-server")) {
      send(request.response(), 200, JSON, discovery().encode());
    } else if (path.equals("/metrics")) {
      send(request.response(), 200, "text/plain; version=0.0.4; charset=utf-8", metrics());
    } else {
      error(request.response(), new OAuthError(404, "invalid_request", "no such endpoint"));
    }
  }

  private void token(HttpServerRequest request) {
    if (request.method() != HttpMethod.POST) {
      request.response().putHeader(HttpHeaders.ALLOW, "POST");
      error(request.response(), new OAuthError(405, "invalid_request", "the token endpoint accepts only POST"));
      return;
    }
    request.body().onComplete(body -> {
      tokenRequests.incrementAndGet();
      if (body.failed()) {
        error(request.response(), OAuthError.invalidRequest("the request body could not be read"));
        return;
      }
      String contentType = request.getHeader(HttpHeaders.CONTENT_TYPE);
      if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith(FORM)) {
        error(request.response(), OAuthError.invalidRequest("Content-Type must be application/x-www-form-urlencoded"));
        return;
      }
      try {
        ParsedRequest parsed = TokenRequestParser.parse(request.getHeader(HttpHeaders.AUTHORIZATION), null,
            body.result().toString(StandardCharsets.UTF_8));
        if (parsed instanceof ParsedRequest.ClientCredentialsGrant grant) {
          grant(request.response(), grant.request());
        } else {
          error(request.response(), OAuthError.unsupportedGrantType("only client_credentials is supported"));
        }
      } catch (InvalidTokenRequest e) {
        error(request.response(), e.error());
      }
    });
  }

  private void grant(HttpServerResponse response, TokenRequest request) {
    RegisteredClient client = options.clients().find(request.credentials().clientId())
        .filter(found -> found.secretMatches(request.credentials().clientSecret()))
        .orElse(null);
    if (client == null) {
      error(response, OAuthError.invalidClient("unknown client or wrong secret"));
      return;
    }
    Set<String> scopes = request.scopes().isEmpty() ? new LinkedHashSet<>(client.scopes()) : request.scopes();
    if (!client.scopes().containsAll(scopes)) {
      error(response, OAuthError.invalidScope("the client may not ask for some of these scopes"));
      return;
    }
    Instant now = clock.instant();
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(issuer)
        .subject(client.id())
        .claim("client_id", client.id())
        .claim("token_use", "access")
        .claim("scope", String.join(" ", scopes))
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(options.tokenLifetime())))
        .jwtID(UUID.randomUUID().toString())
        .build();
    vertx.executeBlocking(() -> signer.sign(claims), false).onComplete(signed -> {
      if (signed.failed()) {
        error(response, new OAuthError(500, "server_error", "the token could not be signed"));
        return;
      }
      tokensIssued.incrementAndGet();
      JsonObject body = new JsonObject()
          .put("access_token", signed.result())
          .put("token_type", "Bearer")
          .put("expires_in", options.tokenLifetime().toSeconds())
          .put("scope", String.join(" ", scopes));
      response.putHeader(HttpHeaders.CACHE_CONTROL, "no-store").putHeader("Pragma", "no-cache");
      send(response, 200, JSON, body.encode());
    });
  }

  private JsonObject discovery() {
    return new JsonObject()
        .put("issuer", issuer)
        .put("token_endpoint", issuer + "/oauth2/token")
        .put("jwks_uri", issuer + "/.well-known/jwks.json")
        .put("grant_types_supported", new JsonArray().add("client_credentials"))
        .put("token_endpoint_auth_methods_supported", new JsonArray().add("client_secret_basic").add("client_secret_post"))
        .put("response_types_supported", new JsonArray().add("token"))
        .put("subject_types_supported", new JsonArray().add("public"))
        .put("id_token_signing_alg_values_supported", new JsonArray().add("RS256"))
        .put("scopes_supported", scopesSupported());
  }

  private JsonArray scopesSupported() {
    Set<String> scopes = new java.util.TreeSet<>();
    options.clients().all().forEach(client -> scopes.addAll(client.scopes()));
    return new JsonArray(new java.util.ArrayList<>(scopes));
  }

  private String metrics() {
    return "# HELP tokencache_issuer_token_requests_total Token requests the issuer answered, successful or not.\n"
        + "# TYPE tokencache_issuer_token_requests_total counter\n"
        + "tokencache_issuer_token_requests_total " + tokenRequests.get() + "\n"
        + "# HELP tokencache_issuer_tokens_issued_total Access tokens the issuer issued.\n"
        + "# TYPE tokencache_issuer_tokens_issued_total counter\n"
        + "tokencache_issuer_tokens_issued_total " + tokensIssued.get() + "\n";
  }

  private static void error(HttpServerResponse response, OAuthError error) {
    if (error.challengesBasic()) {
      response.putHeader("WWW-Authenticate", "Basic realm=\"tokencache-issuer\"");
    }
    response.putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    response.putHeader(HttpHeaders.CONTENT_TYPE, JSON);
    response.setStatusCode(error.status()).end(Buffer.buffer(error.toJson()));
  }

  private static void send(HttpServerResponse response, int status, String contentType, String body) {
    response.putHeader(HttpHeaders.CONTENT_TYPE, contentType).setStatusCode(status).end(body);
  }
}
