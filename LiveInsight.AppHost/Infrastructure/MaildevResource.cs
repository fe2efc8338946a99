namespace LiveInsight.AppHost.Infrastructure;

/// <summary>maildev (an SMTP server with a web inbox) run by <c>node</c> from this repository's pinned node_modules:
/// alerts and reports sent locally arrive in the inbox its <c>http</c> endpoint shows in the Aspire dashboard.</summary>
public sealed class MaildevResource(string name, string workingDirectory) : ExecutableResource(name, "node", workingDirectory)
{
    public const string SmtpEndpointName = "smtp";
    public const string WebEndpointName = "http";

    public EndpointReference SmtpEndpoint => field ??= new(this, SmtpEndpointName);

    public EndpointReference WebEndpoint => field ??= new(this, WebEndpointName);
}

public static class MaildevResourceExtensions
{
    /// <summary>The local mail stack, or null when publishing: in AWS the SMTP server is a deploy parameter (SES by
    /// default, see DEPLOY.md and LiveInsight.Deploy/Template/MailSettings.cs).</summary>
    public static IResourceBuilder<MaildevResource>? AddLocalMail(this IDistributedApplicationBuilder builder, string name)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return null;
        }

        var repositoryRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        var cli = Path.Combine(repositoryRoot, "node_modules", "maildev", "dist", "bin", "maildev.js");
        if (!File.Exists(cli))
        {
            throw new InvalidOperationException(
                $"maildev is not installed ({cli} is missing): run 'npm ci' in {repositoryRoot}, or './liveinsight run' which does it.");
        }

        var mailDirectory = Path.Combine(repositoryRoot, ".data", "mail");
        Directory.CreateDirectory(mailDirectory);
        var resource = new MaildevResource(name, repositoryRoot);
        return builder.AddResource(resource)
            .WithEndpoint(name: MaildevResource.SmtpEndpointName, scheme: "tcp", isProxied: false)
            .WithHttpEndpoint(name: MaildevResource.WebEndpointName, isProxied: false)
            .WithArgs(context =>
            {
                context.Args.Add(cli);
                context.Args.Add("--ip");
                context.Args.Add("127.0.0.1");
                context.Args.Add("--smtp");
                context.Args.Add(resource.SmtpEndpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("--web-ip");
                context.Args.Add("127.0.0.1");
                context.Args.Add("--web");
                context.Args.Add(resource.WebEndpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("--mail-directory");
                context.Args.Add(mailDirectory);
            })
            .WithTcpHealthCheck(resource.SmtpEndpoint);
    }

    /// <summary>Sends the project's mail to the local maildev (plain SMTP on loopback) and gives it the key that signs
    /// unsubscribe links, the same for every project that sends or serves them. No-op when publishing.</summary>
    public static IResourceBuilder<ProjectResource> WithLocalMail(
        this IResourceBuilder<ProjectResource> project, IResourceBuilder<MaildevResource>? mail, IResourceBuilder<ParameterResource>? signingKey,
        IResourceBuilder<ProjectResource> api, IResourceBuilder<ProjectResource> dashboard)
    {
        if (mail is null)
        {
            return project;
        }

        project = project
            .WaitFor(mail)
            .WithEnvironment("Mail__Host", "127.0.0.1")
            .WithEnvironment("Mail__Port", mail.Resource.SmtpEndpoint.Property(EndpointProperty.TargetPort))
            .WithEnvironment("Mail__Security", "none")
            .WithEnvironment("Mail__From", "LiveInsight <alerts@liveinsight.local>")
            .WithEnvironment("Alerts__AllowPrivateWebhookTargets", "true")
            .WithEnvironment("Alerts__PublicApiUrl", api.GetEndpoint("http"))
            .WithEnvironment("Alerts__DashboardUrl", dashboard.GetEndpoint("http"));
        return signingKey is null ? project : project.WithEnvironment("Alerts__SigningKey", signingKey);
    }
}
