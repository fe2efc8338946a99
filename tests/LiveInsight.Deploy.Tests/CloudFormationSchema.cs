namespace LiveInsight.Deploy.Tests;

/// <summary>
/// The property and attribute names of the CloudFormation resource types the template uses, written from the
/// AWS resource and property type reference (docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference).
/// Only names we know exist; a typo or an invented property fails the test instead of the stack.
/// </summary>
public static class CloudFormationSchema
{
    public static readonly HashSet<string> ResourceAttributes =
        ["Type", "Properties", "DependsOn", "Condition", "DeletionPolicy", "UpdateReplacePolicy", "Metadata"];

    public static readonly Dictionary<string, HashSet<string>> Properties = new()
    {
        ["AWS::EC2::SecurityGroup"] = ["GroupDescription", "GroupName", "SecurityGroupEgress", "SecurityGroupIngress", "Tags", "VpcId"],
        ["AWS::EC2::SecurityGroupIngress"] =
            ["CidrIp", "CidrIpv6", "Description", "FromPort", "GroupId", "GroupName", "IpProtocol", "SourcePrefixListId",
             "SourceSecurityGroupId", "SourceSecurityGroupName", "SourceSecurityGroupOwnerId", "ToPort"],
        ["AWS::ServiceDiscovery::HttpNamespace"] = ["Description", "Name", "Tags"],
        ["AWS::ServiceDiscovery::PrivateDnsNamespace"] = ["Description", "Name", "Properties", "Tags", "Vpc"],
        ["AWS::ServiceDiscovery::Service"] =
            ["Description", "DnsConfig", "HealthCheckConfig", "HealthCheckCustomConfig", "Name", "NamespaceId",
             "ServiceAttributes", "Tags", "Type"],
        ["AWS::ApiGatewayV2::Api"] =
            ["ApiKeySelectionExpression", "BasePath", "Body", "BodyS3Location", "CorsConfiguration", "CredentialsArn",
             "Description", "DisableExecuteApiEndpoint", "DisableSchemaValidation", "FailOnWarnings", "IpAddressType",
             "Name", "ProtocolType", "RouteKey", "RouteSelectionExpression", "Tags", "Target", "Version"],
        ["AWS::ApiGatewayV2::VpcLink"] = ["Name", "SecurityGroupIds", "SubnetIds", "Tags"],
        ["AWS::ApiGatewayV2::Stage"] =
            ["AccessLogSettings", "AccessPolicyId", "ApiId", "AutoDeploy", "ClientCertificateId", "DefaultRouteSettings",
             "DeploymentId", "Description", "RouteSettings", "StageName", "StageVariables", "Tags"],
        ["AWS::ApiGatewayV2::Integration"] =
            ["ApiId", "ConnectionId", "ConnectionType", "ContentHandlingStrategy", "CredentialsArn", "Description",
             "IntegrationMethod", "IntegrationSubtype", "IntegrationType", "IntegrationUri", "PassthroughBehavior",
             "PayloadFormatVersion", "RequestParameters", "RequestTemplates", "ResponseParameters",
             "TemplateSelectionExpression", "TimeoutInMillis", "TlsConfig"],
        ["AWS::ApiGatewayV2::Route"] =
            ["ApiId", "ApiKeyRequired", "AuthorizationScopes", "AuthorizationType", "AuthorizerId", "ModelSelectionExpression",
             "OperationName", "RequestModels", "RequestParameters", "RouteKey", "RouteResponseSelectionExpression", "Target"],
        ["AWS::DynamoDB::Table"] =
            ["AttributeDefinitions", "BillingMode", "ContributorInsightsSpecification", "DeletionProtectionEnabled",
             "GlobalSecondaryIndexes", "ImportSourceSpecification", "KeySchema", "KinesisStreamSpecification",
             "LocalSecondaryIndexes", "OnDemandThroughput", "PointInTimeRecoverySpecification", "ProvisionedThroughput",
             "ResourcePolicy", "SSESpecification", "StreamSpecification", "TableClass", "TableName", "Tags",
             "TimeToLiveSpecification", "WarmThroughput"],
        ["AWS::ElastiCache::SubnetGroup"] = ["CacheSubnetGroupName", "Description", "SubnetIds", "Tags"],
        ["AWS::ElastiCache::ParameterGroup"] = ["CacheParameterGroupFamily", "Description", "Properties", "Tags"],
        ["AWS::ElastiCache::ReplicationGroup"] =
            ["AtRestEncryptionEnabled", "AuthToken", "AutoMinorVersionUpgrade", "AutomaticFailoverEnabled", "CacheNodeType",
             "CacheParameterGroupName", "CacheSecurityGroupNames", "CacheSubnetGroupName", "ClusterMode", "DataTieringEnabled",
             "Engine", "EngineVersion", "GlobalReplicationGroupId", "IpDiscovery", "KmsKeyId", "LogDeliveryConfigurations",
             "MultiAZEnabled", "NetworkType", "NodeGroupConfiguration", "NotificationTopicArn", "NumCacheClusters",
             "NumNodeGroups", "Port", "PreferredCacheClusterAZs", "PreferredMaintenanceWindow", "PrimaryClusterId",
             "ReplicasPerNodeGroup", "ReplicationGroupDescription", "ReplicationGroupId", "SecurityGroupIds",
             "SnapshotArns", "SnapshotName", "SnapshotRetentionLimit", "SnapshotWindow", "SnapshottingClusterId", "Tags",
             "TransitEncryptionEnabled", "TransitEncryptionMode", "UserGroupIds"],
        ["AWS::SecretsManager::Secret"] = ["Description", "GenerateSecretString", "KmsKeyId", "Name", "ReplicaRegions", "SecretString", "Tags"],
        ["AWS::S3::Bucket"] =
            ["AccelerateConfiguration", "AccessControl", "AnalyticsConfigurations", "BucketEncryption", "BucketName",
             "CorsConfiguration", "IntelligentTieringConfigurations", "InventoryConfigurations", "LifecycleConfiguration",
             "LoggingConfiguration", "MetadataConfiguration", "MetadataTableConfiguration", "MetricsConfigurations",
             "NotificationConfiguration", "ObjectLockConfiguration", "ObjectLockEnabled", "OwnershipControls",
             "PublicAccessBlockConfiguration", "ReplicationConfiguration", "Tags", "VersioningConfiguration", "WebsiteConfiguration"],
        ["AWS::Glue::Database"] = ["CatalogId", "DatabaseInput", "DatabaseName"],
        ["AWS::Glue::Table"] = ["CatalogId", "DatabaseName", "OpenTableFormatInput", "TableInput"],
        ["AWS::ElasticLoadBalancingV2::LoadBalancer"] =
            ["EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic", "IpAddressType", "LoadBalancerAttributes", "Name",
             "Scheme", "SecurityGroups", "SubnetMappings", "Subnets", "Tags", "Type"],
        ["AWS::ElasticLoadBalancingV2::Listener"] =
            ["AlpnPolicy", "Certificates", "DefaultActions", "ListenerAttributes", "LoadBalancerArn", "MutualAuthentication",
             "Port", "Protocol", "SslPolicy"],
        ["AWS::ElasticLoadBalancingV2::ListenerRule"] = ["Actions", "Conditions", "ListenerArn", "Priority"],
        ["AWS::ElasticLoadBalancingV2::TargetGroup"] =
            ["HealthCheckEnabled", "HealthCheckIntervalSeconds", "HealthCheckPath", "HealthCheckPort", "HealthCheckProtocol",
             "HealthCheckTimeoutSeconds", "HealthyThresholdCount", "IpAddressType", "Matcher", "Name", "Port", "Protocol",
             "ProtocolVersion", "Tags", "TargetGroupAttributes", "TargetType", "Targets", "UnhealthyThresholdCount", "VpcId"],
        ["AWS::IAM::Role"] =
            ["AssumeRolePolicyDocument", "Description", "ManagedPolicyArns", "MaxSessionDuration", "Path",
             "PermissionsBoundary", "Policies", "RoleName", "Tags"],
        ["AWS::Logs::LogGroup"] = ["DataProtectionPolicy", "KmsKeyId", "LogGroupClass", "LogGroupName", "RetentionInDays", "Tags"],
        ["AWS::ECS::Cluster"] =
            ["CapacityProviders", "ClusterName", "ClusterSettings", "Configuration", "DefaultCapacityProviderStrategy",
             "ServiceConnectDefaults", "Tags"],
        ["AWS::ECS::TaskDefinition"] =
            ["ContainerDefinitions", "Cpu", "EnableFaultInjection", "EphemeralStorage", "ExecutionRoleArn", "Family",
             "InferenceAccelerators", "IpcMode", "Memory", "NetworkMode", "PidMode", "PlacementConstraints",
             "ProxyConfiguration", "RequiresCompatibilities", "RuntimePlatform", "Tags", "TaskRoleArn", "Volumes"],
        ["AWS::ECS::Service"] =
            ["AvailabilityZoneRebalancing", "CapacityProviderStrategy", "Cluster", "DeploymentConfiguration",
             "DeploymentController", "DesiredCount", "EnableECSManagedTags", "EnableExecuteCommand",
             "HealthCheckGracePeriodSeconds", "LaunchType", "LoadBalancers", "NetworkConfiguration", "PlacementConstraints",
             "PlacementStrategies", "PlatformVersion", "PropagateTags", "Role", "SchedulingStrategy",
             "ServiceConnectConfiguration", "ServiceName", "ServiceRegistries", "Tags", "TaskDefinition",
             "VolumeConfigurations", "VpcLatticeConfigurations"],
        ["AWS::Cognito::UserPool"] =
            ["AccountRecoverySetting", "AdminCreateUserConfig", "AliasAttributes", "AutoVerifiedAttributes", "DeletionProtection",
             "DeviceConfiguration", "EmailAuthenticationMessage", "EmailAuthenticationSubject", "EmailConfiguration",
             "EmailVerificationMessage", "EmailVerificationSubject", "EnabledMfas", "LambdaConfig", "MfaConfiguration",
             "Policies", "Schema", "SmsAuthenticationMessage", "SmsConfiguration", "SmsVerificationMessage",
             "UserAttributeUpdateSettings", "UserPoolAddOns", "UserPoolName", "UserPoolTags", "UserPoolTier",
             "UsernameAttributes", "UsernameConfiguration", "VerificationMessageTemplate", "WebAuthnRelyingPartyID",
             "WebAuthnUserVerification"],
        ["AWS::Cognito::UserPoolClient"] =
            ["AccessTokenValidity", "AllowedOAuthFlows", "AllowedOAuthFlowsUserPoolClient", "AllowedOAuthScopes",
             "AnalyticsConfiguration", "AuthSessionValidity", "CallbackURLs", "ClientName", "DefaultRedirectURI",
             "EnablePropagateAdditionalUserContextData", "EnableTokenRevocation", "ExplicitAuthFlows", "GenerateSecret",
             "IdTokenValidity", "LogoutURLs", "PreventUserExistenceErrors", "ReadAttributes", "RefreshTokenRotation",
             "RefreshTokenValidity", "SupportedIdentityProviders", "TokenValidityUnits", "UserPoolId", "WriteAttributes"],
        ["AWS::Cognito::UserPoolDomain"] = ["CustomDomainConfig", "Domain", "ManagedLoginVersion", "UserPoolId"],
        ["AWS::Cognito::UserPoolGroup"] = ["Description", "GroupName", "Precedence", "RoleArn", "UserPoolId"],
        ["AWS::IAM::Policy"] = ["Groups", "PolicyDocument", "PolicyName", "Roles", "Users"],
        ["AWS::ApplicationAutoScaling::ScalableTarget"] =
            ["MaxCapacity", "MinCapacity", "ResourceId", "RoleARN", "ScalableDimension", "ScheduledActions",
             "ServiceNamespace", "SuspendedState"],
        ["AWS::ApplicationAutoScaling::ScalingPolicy"] =
            ["PolicyName", "PolicyType", "PredictiveScalingPolicyConfiguration", "ResourceId", "ScalableDimension",
             "ScalingTargetId", "ServiceNamespace", "StepScalingPolicyConfiguration", "TargetTrackingScalingPolicyConfiguration"],
    };

    /// <summary>Names inside nested property types that the template sets (ECS container definitions and friends).</summary>
    public static readonly Dictionary<string, HashSet<string>> Nested = new()
    {
        ["ContainerDefinition"] =
            ["Command", "Cpu", "DependsOn", "DisableNetworking", "DnsSearchDomains", "DnsServers", "DockerLabels",
             "DockerSecurityOptions", "EntryPoint", "Environment", "EnvironmentFiles", "Essential", "ExtraHosts",
             "FirelensConfiguration", "HealthCheck", "Hostname", "Image", "Interactive", "Links", "LinuxParameters",
             "LogConfiguration", "Memory", "MemoryReservation", "MountPoints", "Name", "PortMappings", "Privileged",
             "PseudoTerminal", "ReadonlyRootFilesystem", "RepositoryCredentials", "ResourceRequirements",
             "RestartPolicy", "Secrets", "StartTimeout", "StopTimeout", "SystemControls", "Ulimits", "User",
             "VersionConsistency", "VolumesFrom", "WorkingDirectory"],
        ["PortMapping"] = ["AppProtocol", "ContainerPort", "ContainerPortRange", "HostPort", "Name", "Protocol"],
        ["HealthCheck"] = ["Command", "Interval", "Retries", "StartPeriod", "Timeout"],
        ["LogConfiguration"] = ["LogDriver", "Options", "SecretOptions"],
        ["KeyValuePair"] = ["Name", "Value"],
        ["Secret"] = ["Name", "ValueFrom"],
        ["ServiceConnectConfiguration"] = ["Enabled", "LogConfiguration", "Namespace", "Services"],
        ["ServiceConnectService"] = ["ClientAliases", "DiscoveryName", "IngressPortOverride", "PortName", "Timeout", "Tls"],
        ["DeploymentConfiguration"] = ["Alarms", "DeploymentCircuitBreaker", "MaximumPercent", "MinimumHealthyPercent"],
        ["AwsVpcConfiguration"] = ["AssignPublicIp", "SecurityGroups", "Subnets"],
        ["ServiceLoadBalancer"] = ["ContainerName", "ContainerPort", "LoadBalancerName", "TargetGroupArn"],
        ["CapacityProviderStrategyItem"] = ["Base", "CapacityProvider", "Weight"],
        ["ServiceRegistry"] = ["ContainerName", "ContainerPort", "Port", "RegistryArn"],
        ["DnsConfig"] = ["DnsRecords", "NamespaceId", "RoutingPolicy"],
        ["DnsRecord"] = ["TTL", "Type"],
        ["RouteSettings"] =
            ["DataTraceEnabled", "DetailedMetricsEnabled", "LoggingLevel", "ThrottlingBurstLimit", "ThrottlingRateLimit"],
        ["GlobalSecondaryIndex"] =
            ["ContributorInsightsSpecification", "IndexName", "KeySchema", "OnDemandThroughput", "Projection",
             "ProvisionedThroughput", "WarmThroughput"],
        ["TargetTrackingScalingPolicyConfiguration"] =
            ["CustomizedMetricSpecification", "DisableScaleIn", "PredefinedMetricSpecification", "ScaleInCooldown",
             "ScaleOutCooldown", "TargetValue"],
        ["CustomizedMetricSpecification"] = ["Dimensions", "MetricName", "Metrics", "Namespace", "Statistic", "Unit"],
        ["ListenerAction"] =
            ["AuthenticateCognitoConfig", "AuthenticateOidcConfig", "FixedResponseConfig", "ForwardConfig", "Order",
             "RedirectConfig", "TargetGroupArn", "Type"],
        ["RuleCondition"] =
            ["Field", "HostHeaderConfig", "HttpHeaderConfig", "HttpRequestMethodConfig", "PathPatternConfig",
             "QueryStringConfig", "SourceIpConfig", "Values"],
        ["LifecycleRule"] =
            ["AbortIncompleteMultipartUpload", "ExpirationDate", "ExpirationInDays", "ExpiredObjectDeleteMarker", "Id",
             "NoncurrentVersionExpiration", "NoncurrentVersionExpirationInDays", "NoncurrentVersionTransition",
             "NoncurrentVersionTransitions", "ObjectSizeGreaterThan", "ObjectSizeLessThan", "Prefix", "Status", "TagFilters",
             "Transition", "Transitions"],
        ["PublicAccessBlockConfiguration"] = ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"],
        ["DatabaseInput"] = ["CreateTableDefaultPermissions", "Description", "FederatedDatabase", "LocationUri", "Name", "Parameters", "TargetDatabase"],
        ["TableInput"] =
            ["Description", "Name", "Owner", "Parameters", "PartitionKeys", "Retention", "StorageDescriptor", "TableType",
             "TargetTable", "ViewExpandedText", "ViewOriginalText"],
        ["StorageDescriptor"] =
            ["BucketColumns", "Columns", "Compressed", "InputFormat", "Location", "NumberOfBuckets", "OutputFormat", "Parameters",
             "SchemaReference", "SerdeInfo", "SkewedInfo", "SortColumns", "StoredAsSubDirectories"],
        ["Column"] = ["Comment", "Name", "Type"],
        ["GenerateSecretString"] =
            ["ExcludeCharacters", "ExcludeLowercase", "ExcludeNumbers", "ExcludePunctuation", "ExcludeUppercase",
             "GenerateStringKey", "IncludeSpace", "PasswordLength", "RequireEachIncludedType", "SecretStringTemplate"],
    };

    /// <summary>Fn::GetAtt attributes each type returns.</summary>
    public static readonly Dictionary<string, HashSet<string>> Attributes = new()
    {
        ["AWS::EC2::SecurityGroup"] = ["GroupId", "VpcId"],
        ["AWS::ServiceDiscovery::HttpNamespace"] = ["Arn", "Id"],
        ["AWS::ServiceDiscovery::PrivateDnsNamespace"] = ["Arn", "HostedZoneId", "Id"],
        ["AWS::ServiceDiscovery::Service"] = ["Arn", "Id", "Name"],
        ["AWS::ApiGatewayV2::Api"] = ["ApiEndpoint", "ApiId"],
        ["AWS::DynamoDB::Table"] = ["Arn", "StreamArn"],
        ["AWS::S3::Bucket"] = ["Arn", "DomainName", "DualStackDomainName", "RegionalDomainName", "WebsiteURL"],
        ["AWS::ElastiCache::ReplicationGroup"] =
            ["ConfigurationEndPoint.Address", "ConfigurationEndPoint.Port", "PrimaryEndPoint.Address", "PrimaryEndPoint.Port",
             "ReaderEndPoint.Address", "ReaderEndPoint.Port", "ReadEndPoint.Addresses", "ReadEndPoint.Ports"],
        ["AWS::ElasticLoadBalancingV2::LoadBalancer"] =
            ["CanonicalHostedZoneID", "DNSName", "LoadBalancerArn", "LoadBalancerFullName", "LoadBalancerName", "SecurityGroups"],
        ["AWS::IAM::Role"] = ["Arn", "RoleId"],
        ["AWS::Cognito::UserPool"] = ["Arn", "ProviderName", "ProviderURL", "UserPoolId"],
        ["AWS::Cognito::UserPoolClient"] = ["ClientId", "ClientSecret", "Name"],
        ["AWS::Logs::LogGroup"] = ["Arn"],
        ["AWS::ECS::Cluster"] = ["Arn"],
        ["AWS::ECS::Service"] = ["Name", "ServiceArn"],
    };
}
