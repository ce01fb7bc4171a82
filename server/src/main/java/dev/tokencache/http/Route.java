package dev.tokencache.http;

import dev.tokencache.pipeline.TokenPipeline;
import dev.tokencache.token.CacheKeyDeriver;

/**
 * One authorization server as the token listener serves it: its path, its name (the {@code upstream} label of
 * metrics and the access log), its fetch pipeline, and its cache-key derivation (which includes its token URL, so
 * a token from one upstream is never served for another).
 */
public record Route(String path, String upstream, TokenPipeline pipeline, CacheKeyDeriver keys) {}
