package dev.tokencache.deploy;

import java.util.List;
import java.util.Map;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.applicationautoscaling.EnableScalingProps;
import software.amazon.awscdk.services.certificatemanager.Certificate;
import software.amazon.awscdk.services.ec2.FlowLogOptions;
import software.amazon.awscdk.services.ec2.Peer;
import software.amazon.awscdk.services.ec2.Port;
import software.amazon.awscdk.services.ec2.SecurityGroup;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ecr.assets.Platform;
import software.amazon.awscdk.services.ecs.AssetImageProps;
import software.amazon.awscdk.services.ecs.Cluster;
import software.amazon.awscdk.services.ecs.DeploymentCircuitBreaker;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.ecs.ContainerInsights;
import software.amazon.awscdk.services.ecs.CpuUtilizationScalingProps;
import software.amazon.awscdk.services.ecs.LogDrivers;
import software.amazon.awscdk.services.ecs.AwsLogDriverProps;
import software.amazon.awscdk.services.ecs.PortMapping;
import software.amazon.awscdk.services.ecs.patterns.ApplicationLoadBalancedFargateService;
import software.amazon.awscdk.services.ecs.patterns.ApplicationLoadBalancedTaskImageOptions;
import software.amazon.awscdk.services.elasticache.CfnReplicationGroup;
import software.amazon.awscdk.services.elasticache.CfnSubnetGroup;
import software.amazon.awscdk.services.elasticloadbalancingv2.ApplicationProtocol;
import software.amazon.awscdk.services.elasticloadbalancingv2.HealthCheck;
import software.amazon.awscdk.services.elasticloadbalancingv2.SslPolicy;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.amazon.awscdk.services.secretsmanager.SecretStringGenerator;
import software.constructs.Construct;

/**
 * Stack 2: tokencache itself on AWS, in front of Cognito. At least two Fargate tasks behind an HTTPS Application
 * Load Balancer share an ElastiCache (Valkey) cache ({@code cache.backend: redis}); the origin secret, the cache
 * key secret and the Valkey AUTH token live in Secrets Manager; the same WAF WebACL guards the user pool; logs go
 * to CloudWatch; the target group checks the admin port's readiness; tasks scale on CPU.
 *
 * <p>The image builds from {@code deploy/docker/Dockerfile} at deploy time ({@code ContainerImage.fromAsset}).
 */
public final class TokenCacheServiceStack extends Stack {
  static final int TOKEN_PORT = 8080;
  static final int ADMIN_PORT = 9090;
  static final int VALKEY_PORT = 6380;

  final ApplicationLoadBalancedFargateService service;
  final CfnReplicationGroup valkey;
  final Secret originSecret;
  final OriginVerifyWaf waf;
  final TokenCacheMonitoring monitoring;

  public TokenCacheServiceStack(Construct scope, String id, StackProps props, DeploySettings settings,
      String sourceDirectory) {
    super(scope, id, props);
    Vpc vpc = Vpc.Builder.create(this, "Vpc")
        .maxAzs(2)
        .natGateways(1)
        .flowLogs(Map.of("all", FlowLogOptions.builder().build()))
        .build();

    originSecret = secret("OriginVerifySecret", "Value of the x-origin-verify header the WAF on the user pool requires", 64);
    Secret keySecret = secret("CacheKeySecret", "tokencache cache.key-secret: HMAC key of cache keys, same on every task", 48);
    Secret valkeyAuth = secret("ValkeyAuthToken", "AUTH token of the ElastiCache (Valkey) shared tier", 48);

    SecurityGroup valkeyGroup = SecurityGroup.Builder.create(this, "ValkeySecurityGroup")
        .vpc(vpc).description("tokencache shared tier: reachable from the tokencache tasks only")
        .allowAllOutbound(false).build();
    CfnSubnetGroup subnets = CfnSubnetGroup.Builder.create(this, "ValkeySubnets")
        .description("tokencache shared tier")
        .subnetIds(vpc.selectSubnets(SubnetSelection.builder().subnetType(SubnetType.PRIVATE_WITH_EGRESS).build())
            .getSubnetIds())
        .build();
    valkey = CfnReplicationGroup.Builder.create(this, "Valkey")
        .replicationGroupDescription("tokencache shared token cache")
        .engine("valkey")
        .cacheNodeType("cache.t4g.small")
        .numCacheClusters(2)
        .automaticFailoverEnabled(true)
        .multiAzEnabled(true)
        .atRestEncryptionEnabled(true)
        .transitEncryptionEnabled(true)
        .authToken(valkeyAuth.getSecretValue().unsafeUnwrap())
        .port(VALKEY_PORT)
        .cacheSubnetGroupName(subnets.getRef())
        .securityGroupIds(List.of(valkeyGroup.getSecurityGroupId()))
        .build();

    Cluster cluster = Cluster.Builder.create(this, "Cluster").vpc(vpc)
        .containerInsightsV2(ContainerInsights.ENABLED).build();
    LogGroup logs = LogGroup.Builder.create(this, "Logs")
        .retention(RetentionDays.ONE_MONTH).removalPolicy(RemovalPolicy.DESTROY).build();
    service = ApplicationLoadBalancedFargateService.Builder.create(this, "Service")
        .cluster(cluster)
        .desiredCount(2)
        .minHealthyPercent(100)
        .circuitBreaker(DeploymentCircuitBreaker.builder().rollback(true).build())
        .cpu(512)
        .memoryLimitMiB(1024)
        .publicLoadBalancer(true)
        .protocol(ApplicationProtocol.HTTPS)
        .sslPolicy(SslPolicy.RECOMMENDED_TLS)
        .certificate(Certificate.fromCertificateArn(this, "Certificate", settings.requiredCertificateArn()))
        .redirectHttp(true)
        .taskImageOptions(ApplicationLoadBalancedTaskImageOptions.builder()
            .image(ContainerImage.fromAsset(sourceDirectory, AssetImageProps.builder()
                .file("deploy/docker/Dockerfile")
                .platform(Platform.LINUX_AMD64)
                .build()))
            .containerPort(TOKEN_PORT)
            .logDriver(LogDrivers.awsLogs(AwsLogDriverProps.builder().logGroup(logs).streamPrefix("tokencache").build()))
            .environment(Map.of(
                "TOKENCACHE_UPSTREAM_TOKEN_URL", settings.tokenUrl(),
                "TOKENCACHE_SERVER_PORT", Integer.toString(TOKEN_PORT),
                "TOKENCACHE_ADMIN_PORT", Integer.toString(ADMIN_PORT),
                "TOKENCACHE_CACHE_BACKEND", "redis",
                "TOKENCACHE_REDIS_URL", "rediss://" + valkey.getAttrPrimaryEndPointAddress() + ":" + VALKEY_PORT,
                "TOKENCACHE_REDIS_PASSWORD", "env:VALKEY_AUTH_TOKEN",
                "TOKENCACHE_ORIGIN_SECRET", "aws-secretsmanager:" + originSecret.getSecretArn()))
            .secrets(Map.of(
                "TOKENCACHE_CACHE_KEY_SECRET", software.amazon.awscdk.services.ecs.Secret.fromSecretsManager(keySecret),
                "VALKEY_AUTH_TOKEN", software.amazon.awscdk.services.ecs.Secret.fromSecretsManager(valkeyAuth)))
            .build())
        .build();
    service.getTaskDefinition().getDefaultContainer()
        .addPortMappings(PortMapping.builder().containerPort(ADMIN_PORT).build());
    service.getService().getConnections().allowFrom(service.getLoadBalancer(), Port.tcp(ADMIN_PORT),
        "load balancer health checks on the admin port");
    service.getTargetGroup().configureHealthCheck(HealthCheck.builder()
        .path("/health/ready")
        .port(Integer.toString(ADMIN_PORT))
        .healthyHttpCodes("200")
        .interval(Duration.seconds(10))
        .build());
    service.getTargetGroup().setAttribute("deregistration_delay.timeout_seconds", "15");
    originSecret.grantRead(service.getTaskDefinition().getTaskRole());
    valkeyGroup.addIngressRule(Peer.securityGroupId(service.getService().getConnections().getSecurityGroups().get(0)
        .getSecurityGroupId()), Port.tcp(VALKEY_PORT), "tokencache tasks");
    service.getService().autoScaleTaskCount(EnableScalingProps.builder().minCapacity(2).maxCapacity(10).build())
        .scaleOnCpuUtilization("Cpu", CpuUtilizationScalingProps.builder().targetUtilizationPercent(60).build());

    // every further user pool: a named upstream of tokencache (environment form), guarded by the same WebACL
    List<String> poolArns = new java.util.ArrayList<>(List.of(settings.userPoolArn()));
    for (DeploySettings.UserPool pool : settings.userPools()) {
      String variable = "TOKENCACHE_UPSTREAMS_" + pool.name().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
      service.getTaskDefinition().getDefaultContainer().addEnvironment(variable + "_TOKEN_URL", pool.tokenUrl());
      poolArns.add(pool.arn());
    }
    waf = new OriginVerifyWaf(this, "OriginVerify", poolArns, originSecret);
    monitoring = new TokenCacheMonitoring(this, "Monitoring", service, settings, logs);

    CfnOutput.Builder.create(this, "TokenEndpoint")
        .value("https://" + service.getLoadBalancer().getLoadBalancerDnsName() + "/oauth2/token")
        .description("point a DNS name of the certificate at the load balancer, then POST token requests there").build();
    CfnOutput.Builder.create(this, "WebAclArn").value(waf.webAcl.getAttrArn()).build();
    CfnOutput.Builder.create(this, "OriginSecretArn").value(originSecret.getSecretArn()).build();
    CfnOutput.Builder.create(this, "AlarmTopicArn").value(monitoring.alarmTopic.getTopicArn()).build();
    CfnOutput.Builder.create(this, "DashboardName").value(settings.serviceName()).build();
  }

  private Secret secret(String id, String description, int length) {
    return Secret.Builder.create(this, id)
        .description(description)
        .generateSecretString(SecretStringGenerator.builder().passwordLength(length).excludePunctuation(true).build())
        .build();
  }
}
