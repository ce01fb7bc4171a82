package dev.tokencache.token;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.Optional;

/**
 * A successful token response that may be served again, with its real expiry.
 *
 * <p>The upstream JSON is kept pre-serialized without its {@code expires_in} member and without the
 * closing brace, so that serving a hit is one copy plus the seconds left: {@link #render(Instant)}.
 * Immutable and thread-safe. {@code toString()} never shows the token.
 */
public final class CachedToken {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] EXPIRES_IN = ",\"expires_in\":".getBytes(StandardCharsets.US_ASCII);

  /** How long before its expiry a token stops being served even as stale. */
  public static final Duration STALE_MARGIN = Duration.ofSeconds(5);

  private final byte[] head;
  private final Instant receivedAt;
  private final Instant expiresAt;

  private CachedToken(byte[] head, Instant receivedAt, Instant expiresAt) {
    this.head = head;
    this.receivedAt = receivedAt;
    this.expiresAt = expiresAt;
  }

  /**
   * Reads a 200 response body. Returns a token only when the body is a JSON object with a non-empty string
   * {@code access_token} and a positive {@code expires_in} (a number, or a string holding one, as some
   * servers send). The expiry is {@code receivedAt + expires_in}, and no later than the token's own
   * {@code exp} claim when the access token is a signed JWT.
   */
  public static Optional<CachedToken> fromResponse(byte[] body, Instant receivedAt) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      return Optional.empty();
    }
    if (root == null || !root.isObject()) {
      return Optional.empty();
    }
    ObjectNode object = (ObjectNode) root;
    JsonNode accessToken = object.get("access_token");
    if (accessToken == null || !accessToken.isTextual() || accessToken.asText().isEmpty()) {
      return Optional.empty();
    }
    long expiresIn = positiveSeconds(object.get("expires_in"));
    if (expiresIn <= 0) {
      return Optional.empty();
    }
    Instant expiresAt = receivedAt.plusSeconds(expiresIn);
    Optional<Instant> claimed = jwtExpiry(accessToken.asText());
    if (claimed.isPresent() && claimed.get().isBefore(expiresAt)) {
      expiresAt = claimed.get();
    }
    object.remove("expires_in");
    byte[] serialized;
    try {
      serialized = JSON.writeValueAsBytes(object);
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
    byte[] head = Arrays.copyOf(serialized, serialized.length - 1); // drop the closing brace
    return Optional.of(new CachedToken(head, receivedAt, expiresAt));
  }

  private static long positiveSeconds(JsonNode node) {
    if (node == null) {
      return 0;
    }
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      return node.asLong();
    }
    if (node.isNumber()) {
      return (long) Math.floor(node.asDouble());
    }
    if (node.isTextual()) {
      try {
        return Long.parseLong(node.asText().trim());
      } catch (NumberFormatException e) {
        return 0;
      }
    }
    return 0;
  }

  private static Optional<Instant> jwtExpiry(String token) {
    if (token.chars().filter(c -> c == '.').count() != 2) {
      return Optional.empty();
    }
    try {
      JWT jwt = JWTParser.parse(token);
      Date exp = jwt.getJWTClaimsSet().getExpirationTime();
      return Optional.ofNullable(exp).map(Date::toInstant);
    } catch (ParseException | RuntimeException e) {
      return Optional.empty(); // an opaque token that happens to contain two dots
    }
  }

  /**
   * Roughly how many bytes of heap the token takes: its JSON and the objects around it (this object, its
   * instants, the cache entry and key that hold it). Used to bound the cache by memory.
   */
  public int heapBytes() {
    return head.length + 400;
  }

  /** When the token was received from the authorization server. */
  public Instant receivedAt() {
    return receivedAt;
  }

  /** When the token stops being valid. */
  public Instant expiresAt() {
    return expiresAt;
  }

  /** Whole seconds of validity left at {@code now}; negative once expired. */
  public long secondsLeftAt(Instant now) {
    // Math.floorDiv(Duration.between(now, expiresAt).toMillis(), 1000) without a Duration per hit: the same
    // normalisation (nanos in [0, 1e9)) and the same truncation of the milliseconds towards zero
    long seconds = expiresAt.getEpochSecond() - now.getEpochSecond();
    long nanos = expiresAt.getNano() - now.getNano();
    if (nanos < 0) {
      seconds--;
      nanos += 1_000_000_000;
    }
    if (seconds < 0) {
      seconds++;
      nanos -= 1_000_000_000;
    }
    return Math.floorDiv(seconds * 1000 + nanos / 1_000_000, 1000);
  }

  /** The lifetime the token was issued with: from {@link #receivedAt()} to {@link #expiresAt()}. */
  public Duration lifetime() {
    return Duration.between(receivedAt, expiresAt);
  }

  /**
   * Until when the token is served as an ordinary hit: its expiry less {@code minRemaining}, but never less
   * than nine tenths of its lifetime, so that a token shorter than {@code minRemaining} is still cached (a
   * 60 s token with the default 60 s is served for its first 54 s).
   */
  public Instant freshUntil(Duration minRemaining) {
    Duration tenth = lifetime().dividedBy(10);
    return expiresAt.minus(minRemaining.compareTo(tenth) < 0 ? minRemaining : tenth);
  }

  /** Whether the token is served as an ordinary hit at {@code now} (see {@link #freshUntil}). */
  public boolean isFreshAt(Instant now, Duration minRemaining) {
    return !now.isAfter(freshUntil(minRemaining));
  }

  /**
   * The last instant the token may be served at all, as a stale answer while the authorization server
   * cannot give a new one: its expiry less a safety margin of {@link #STALE_MARGIN} (at most a twentieth of
   * its lifetime), so that a client never receives a token that dies on the way or on its first use.
   */
  public Instant staleUntil() {
    Duration twentieth = lifetime().dividedBy(20);
    return expiresAt.minus(STALE_MARGIN.compareTo(twentieth) < 0 ? STALE_MARGIN : twentieth);
  }

  /** Whether the token may still be served at {@code now}, if only as stale (see {@link #staleUntil()}). */
  public boolean isValidAt(Instant now) {
    return now.isBefore(staleUntil());
  }

  /** When {@code fraction} of the token's lifetime has passed (the refresh-ahead point). */
  public Instant refreshPoint(double fraction) {
    return receivedAt.plusMillis((long) (lifetime().toMillis() * fraction));
  }

  /**
   * The response body to serve at {@code now}: the upstream JSON with {@code expires_in} set to the whole
   * seconds left (never below 0).
   */
  public byte[] render(Instant now) {
    byte[] seconds = Long.toString(Math.max(0, secondsLeftAt(now))).getBytes(StandardCharsets.US_ASCII);
    byte[] body = Arrays.copyOf(head, head.length + EXPIRES_IN.length + seconds.length + 1);
    System.arraycopy(EXPIRES_IN, 0, body, head.length, EXPIRES_IN.length);
    System.arraycopy(seconds, 0, body, head.length + EXPIRES_IN.length, seconds.length);
    body[body.length - 1] = '}';
    return body;
  }

  private static final byte FORMAT = 1;
  private static final int TIMES = 2 * (Long.BYTES + Integer.BYTES);

  /**
   * The token as bytes, for a shared store (which encrypts them): a format byte, {@code receivedAt} and
   * {@code expiresAt} as epoch seconds and nanoseconds (exact, so every instance computes the same seconds
   * left), then the pre-serialized JSON head.
   */
  public byte[] toBytes() {
    return java.nio.ByteBuffer.allocate(1 + TIMES + head.length)
        .put(FORMAT)
        .putLong(receivedAt.getEpochSecond()).putInt(receivedAt.getNano())
        .putLong(expiresAt.getEpochSecond()).putInt(expiresAt.getNano())
        .put(head)
        .array();
  }

  /** Reads {@link #toBytes()}; empty when the bytes are not in that format. */
  public static Optional<CachedToken> fromBytes(byte[] bytes) {
    if (bytes.length < 1 + TIMES + 2 || bytes[0] != FORMAT) {
      return Optional.empty();
    }
    java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes, 1, bytes.length - 1);
    Instant received = Instant.ofEpochSecond(buffer.getLong(), buffer.getInt());
    Instant expires = Instant.ofEpochSecond(buffer.getLong(), buffer.getInt());
    byte[] head = new byte[buffer.remaining()];
    buffer.get(head);
    return head[0] == '{' ? Optional.of(new CachedToken(head, received, expires)) : Optional.empty();
  }

  @Override
  public String toString() {
    return "CachedToken[receivedAt=" + receivedAt + ", expiresAt=" + expiresAt + ", token=<masked>]";
  }
}
