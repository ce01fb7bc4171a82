package dev.tokencache.cache;

import java.util.Locale;

/**
 * How a token request was answered: the {@code result} label of the metrics and the access log, and, through
 * {@link #headerValue()}, the {@code X-Token-Cache} header.
 */
public enum CacheResult {
  /** Served from the cache; the upstream was not asked. */
  HIT("hit"),
  /** This request fetched from the upstream. */
  MISS("miss"),
  /** Waited for another request's fetch of the same key and shared its answer. */
  COALESCED("coalesced"),
  /** A forced refresh ({@code Cache-Control: no-cache}) that fetched a replacement token; the header says miss. */
  REFRESH("miss"),
  /** Not a cacheable request: another grant type, or input the proxy refused. */
  BYPASS("bypass"),
  /**
   * A still-valid token inside {@code cache.min-remaining}, served because no new one can be had now (the
   * upstream failed, or the key or the upstream is backing off).
   */
  STALE("stale"),
  /** The upstream's remembered answer about these credentials or this request, replayed for {@code cache.negative-ttl}. */
  NEGATIVE("negative"),
  /**
   * The key (or the whole upstream) is backing off after a failure and there is no valid token: the last error is
   * replayed with {@code Retry-After}, without an upstream request. The header says negative: a remembered error.
   */
  BACKOFF("negative"),
  /** Over an upstream request budget ({@code upstream.max-rate-per-client}, {@code upstream.max-rate}): 429. */
  LIMITED("limited");

  private final String label = name().toLowerCase(Locale.ROOT);
  private final String headerValue;

  CacheResult(String headerValue) {
    this.headerValue = headerValue;
  }

  /** The {@code X-Token-Cache} header value. */
  public String headerValue() {
    return headerValue;
  }

  /** The lower-case name, as used in metrics and the access log. */
  public String label() {
    return label;
  }
}
