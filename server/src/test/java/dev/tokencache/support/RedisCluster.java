package dev.tokencache.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Redis Cluster of three masters and three replicas (Debian's {@code redis-server} and {@code redis-cli}),
 * on 127.0.0.1 and free ports (each with its cluster bus port, +10000, free too), created with
 * {@code redis-cli --cluster create ... --cluster-replicas 1}. A short node timeout, so that a replica takes
 * over a stopped master within seconds.
 */
public final class RedisCluster implements AutoCloseable {
  private static final int NODES = 6;
  private final Path dir;
  private final List<Integer> ports = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();

  public RedisCluster() throws IOException, InterruptedException {
    this.dir = Files.createTempDirectory("tokencache-cluster");
    while (ports.size() < NODES) {
      int port = freePortWithFreeBus();
      if (!ports.contains(port)) {
        ports.add(port);
      }
    }
    for (int port : ports) {
      Path nodeDir = Files.createDirectories(dir.resolve(Integer.toString(port)));
      processes.add(new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
          "--cluster-enabled", "yes", "--cluster-config-file", nodeDir.resolve("nodes.conf").toString(),
          "--cluster-replica-validity-factor", "0", "--repl-ping-replica-period", "1",
          "--cluster-node-timeout", "1000", "--save", "", "--appendonly", "no", "--dir", nodeDir.toString())
          .redirectErrorStream(true).redirectOutput(nodeDir.resolve("redis.log").toFile()).start());
    }
    for (int port : ports) {
      awaitPing(port);
    }
    List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
    ports.forEach(port -> create.add("127.0.0.1:" + port));
    create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
    Process creating = new ProcessBuilder(create).redirectErrorStream(true)
        .redirectOutput(dir.resolve("create.log").toFile()).start();
    if (!creating.waitFor(60, TimeUnit.SECONDS) || creating.exitValue() != 0) {
      throw new IOException("redis-cli --cluster create failed: " + Files.readString(dir.resolve("create.log")));
    }
    awaitState("ok");
  }

  private static int freePortWithFreeBus() throws IOException {
    while (true) {
      try (ServerSocket probe = new ServerSocket(0)) {
        int port = probe.getLocalPort();
        if (port + 10000 > 65535) {
          continue;
        }
        try (ServerSocket bus = new ServerSocket(port + 10000)) {
          bus.setReuseAddress(true);
          return port;
        } catch (IOException taken) {
          // try another
        }
      }
    }
  }

  private static void awaitPing(int port) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!RedisServer.answersPing(port)) {
      if (System.nanoTime() > deadline) {
        throw new IOException("redis-server did not start on port " + port);
      }
      Thread.sleep(20); // polling for the server process to come up, bounded by the deadline
    }
  }

  /** Waits (bounded) until every running node reports {@code cluster_state:<state>}. */
  public void awaitState(String state) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      boolean all = true;
      for (int i = 0; i < NODES; i++) {
        if (processes.get(i).isAlive() && !cli(ports.get(i), "cluster", "info").contains("cluster_state:" + state)) {
          all = false;
        }
      }
      if (all) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("cluster did not reach state " + state);
      }
      Thread.sleep(100); // polling the cluster's own state, bounded by the deadline
    }
  }

  /** Runs {@code redis-cli -p port args...} and returns what it printed. */
  public String cli(int port, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(port)));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor(10, TimeUnit.SECONDS);
    return output;
  }

  /** The ports of the nodes that are masters now. */
  public List<Integer> masters() throws IOException, InterruptedException {
    List<Integer> masters = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      if (processes.get(i).isAlive() && cli(ports.get(i), "role").startsWith("master")) {
        masters.add(ports.get(i));
      }
    }
    return masters;
  }

  /** Waits (bounded) until a replica has replaced the stopped master {@code port} and the cluster is ok again. */
  public void awaitFailover(int port) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (masters().contains(port) || masters().size() < 3) {
      if (System.nanoTime() > deadline) {
        throw new IOException("no replica took over from " + port);
      }
      Thread.sleep(100); // polling the cluster's own state, bounded by the deadline
    }
    awaitState("ok");
  }

  /** Stops the master node on {@code port} (as a crash would). */
  public void stop(int port) throws InterruptedException {
    Process process = processes.get(ports.indexOf(port));
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** {@code redis.url} for tokencache: every node, comma-separated. */
  public String url() {
    return ports.stream().map(port -> "redis://127.0.0.1:" + port).collect(Collectors.joining(","));
  }

  @Override
  public void close() throws InterruptedException {
    for (Process process : processes) {
      process.destroyForcibly();
    }
    for (Process process : processes) {
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
