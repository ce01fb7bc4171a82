package dev.tokencache.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (Debian's package; {@code .ci/run} installs it) on 127.0.0.1 and a free port, with
 * no persistence. It can be stopped and started again on the same port.
 */
public final class RedisServer implements AutoCloseable {
  private final int port;
  private final Path dir;
  private Process process;

  public RedisServer() throws IOException, InterruptedException {
    try (ServerSocket probe = new ServerSocket(0)) {
      this.port = probe.getLocalPort();
    }
    this.dir = Files.createTempDirectory("tokencache-redis");
    start();
  }

  public void start() throws IOException, InterruptedException {
    String binary = Files.isExecutable(Path.of("/usr/bin/redis-server")) ? "/usr/bin/redis-server" : "redis-server";
    try {
      process = new ProcessBuilder(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1",
          "--save", "", "--appendonly", "no", "--dir", dir.toString())
          .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
    } catch (IOException e) {
      throw new IOException("redis-server is needed for the scale-out tests: apt-get install -y redis-server", e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!answersPing()) {
      if (System.nanoTime() > deadline || !process.isAlive()) {
        throw new IOException("redis-server did not start on port " + port + ": " + Files.readString(dir.resolve("redis.log")));
      }
      Thread.sleep(20); // polling for the server process to come up, bounded by the deadline
    }
  }

  private boolean answersPing() {
    return answersPing(port);
  }

  static boolean answersPing(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      byte[] reply = new byte[7];
      return socket.getInputStream().read(reply) > 0 && new String(reply, StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  public void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /**
   * A {@code redis-sentinel} (Debian's package) on a free port, monitoring this server as {@code mymaster}
   * with a quorum of one. The caller closes it.
   */
  public Sentinel sentinel() throws IOException, InterruptedException {
    return new Sentinel(port, dir);
  }

  /** A running sentinel process. */
  public static final class Sentinel implements AutoCloseable {
    private final int port;
    private final Process process;

    Sentinel(int masterPort, Path dir) throws IOException, InterruptedException {
      try (ServerSocket probe = new ServerSocket(0)) {
        this.port = probe.getLocalPort();
      }
      Path config = dir.resolve("sentinel-" + port + ".conf");
      Files.writeString(config, String.join("\n",
          "port " + port, "bind 127.0.0.1", "dir " + dir,
          "sentinel monitor mymaster 127.0.0.1 " + masterPort + " 1",
          "sentinel down-after-milliseconds mymaster 5000", ""));
      String binary = Files.isExecutable(Path.of("/usr/bin/redis-sentinel")) ? "/usr/bin/redis-sentinel" : "redis-sentinel";
      process = new ProcessBuilder(binary, config.toString()).redirectErrorStream(true)
          .redirectOutput(dir.resolve("sentinel.log").toFile()).start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!answersPing(port)) {
        if (System.nanoTime() > deadline || !process.isAlive()) {
          throw new IOException("redis-sentinel did not start (apt-get install -y redis-sentinel): "
              + Files.readString(dir.resolve("sentinel.log")));
        }
        Thread.sleep(20); // polling for the sentinel process to come up, bounded by the deadline
      }
    }

    public String url() {
      return "redis://127.0.0.1:" + port;
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
