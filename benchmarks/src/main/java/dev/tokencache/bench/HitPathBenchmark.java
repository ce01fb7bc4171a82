package dev.tokencache.bench;

import dev.tokencache.cache.MemoryStore;
import dev.tokencache.config.RawConfig;
import dev.tokencache.config.Settings;
import dev.tokencache.config.SettingsParser;
import dev.tokencache.pipeline.Answer;
import dev.tokencache.pipeline.TokenPipeline;
import dev.tokencache.request.ParsedRequest;
import dev.tokencache.request.TokenRequestParser;
import dev.tokencache.token.CacheKey;
import dev.tokencache.token.CacheKeyDeriver;
import dev.tokencache.token.TokenRequest;
import dev.tokencache.upstream.Upstream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The cache-hit path without the network: parse the request, derive the HMAC key, look the token up, render the
 * response with the seconds left. Compare {@code hitPath} with the anchors measured in the same run
 * ({@code anchorHmac}: the key derivation alone; {@code anchorRender}: the response write alone) and report
 * ratios, not absolute times.
 *
 * <pre>
 * ./mvnw -B -Pbench -DskipTests package
 * java -jar benchmarks/target/benchmarks.jar HitPathBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HitPathBenchmark {
  private static final String AUTHORIZATION = "Basic "
      + Base64.getEncoder().encodeToString("orders-service:s3cr3t-value".getBytes(StandardCharsets.UTF_8));
  private static final String BODY = "grant_type=client_credentials&scope=orders.write+orders.read";
  private static final String TOKEN = "eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0." + "x".repeat(600) + ".sig";

  private CacheKeyDeriver keys;
  private TokenPipeline pipeline;
  private TokenRequest request;
  private CacheKey key;
  private InstantSource clock;

  @Setup
  public void setUp() {
    Settings settings = SettingsParser.parse(RawConfig.defaults().withOverrides(Map.of(
        "upstream.token-url", "https://as.example/oauth2/token")));
    clock = InstantSource.system();
    keys = new CacheKeyDeriver("benchmark-key-secret-0123".getBytes(StandardCharsets.UTF_8),
        "https://as.example/oauth2/token");
    byte[] body = ("{\"access_token\":\"" + TOKEN + "\",\"token_type\":\"Bearer\",\"expires_in\":3600}")
        .getBytes(StandardCharsets.UTF_8);
    Upstream upstream = new FixedUpstream(URI.create("https://as.example/oauth2/token"), body);
    pipeline = new TokenPipeline(settings, upstream, new MemoryStore(settings.cache().maxEntries(), clock),
        Optional.empty(), null, clock, () -> 0.5);
    request = ((ParsedRequest.ClientCredentialsGrant) TokenRequestParser.parse(AUTHORIZATION, null, BODY)).request();
    key = keys.keyFor(request);
    pipeline.token(key, request, false).result();
  }

  @Benchmark
  public byte[] hitPath() {
    TokenRequest parsed = ((ParsedRequest.ClientCredentialsGrant) TokenRequestParser.parse(AUTHORIZATION, null, BODY))
        .request();
    Answer answer = pipeline.token(keys.keyFor(parsed), parsed, false).result();
    return ((Answer.Token) answer).token().render(clock.instant());
  }

  @Benchmark
  public void anchorHmac(Blackhole hole) {
    hole.consume(keys.keyFor(request));
  }

  @Benchmark
  public byte[] anchorRender() {
    return ((Answer.Token) pipeline.token(key, request, false).result()).token().render(Instant.now());
  }
}
