using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Logs;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What exported logs may not carry, for every service, like <see cref="TracePrivacy"/> for spans: a token that sits in a
/// path (<see cref="TracePrivacyOptions.TokenPathPrefixes"/>: <c>/share/abc…</c> becomes <c>/share/{token}</c>) and a
/// secret key (<c>sk_…</c>). ASP.NET Core puts the request path into every log of a request (the <c>RequestPath</c>
/// scope) and into its request messages, so both the records (message, body, attributes) and their scopes are scrubbed
/// before any exporter sees them.
/// </summary>
public static class LogPrivacy
{
    public const string TokenPlaceholder = "{token}";

    /// <summary>Secret keys are <c>sk_</c> and base64url; the prefix stays so a reader knows what was there.</summary>
    private static readonly Regex SecretKey = new(@"\bsk_[A-Za-z0-9_\-]{8,}", RegexOptions.Compiled | RegexOptions.CultureInvariant);

    /// <summary>Adds the record scrubber (ahead of any exporter) and routes the OpenTelemetry logger's scopes through the
    /// scope scrubber.</summary>
    public static ILoggingBuilder AddLogPrivacy(this ILoggingBuilder logging)
    {
        logging.Services.ConfigureOpenTelemetryLoggerProvider(provider =>
            provider.AddProcessor(sp => new ScrubbingProcessor(sp.GetRequiredService<IOptions<TracePrivacyOptions>>())));
        var otel = logging.Services.LastOrDefault(d => d.ServiceType == typeof(ILoggerProvider) && ImplementationOf(d) == typeof(OpenTelemetryLoggerProvider))
            ?? throw new InvalidOperationException("LogPrivacy: call it after AddOpenTelemetry (no OpenTelemetry logger provider is registered).");
        logging.Services.Remove(otel);
        logging.Services.AddSingleton<ILoggerProvider>(sp => new ScrubbingLoggerProvider(
            (ILoggerProvider)(otel.ImplementationFactory?.Invoke(sp) ?? otel.ImplementationInstance
                ?? ActivatorUtilities.CreateInstance(sp, otel.ImplementationType!)),
            sp.GetRequiredService<IOptions<TracePrivacyOptions>>()));
        return logging;
    }

    /// <summary>The text with every token path and secret key replaced; the same instance when there is none.</summary>
    public static string Scrub(string text, TracePrivacyOptions options)
    {
        foreach (var prefix in options.TokenPathPrefixes)
        {
            if (text.Contains(prefix + "/", StringComparison.OrdinalIgnoreCase))
            {
                // Routing ignores case, so "/SHARE/abc" is the same link.
                text = Regex.Replace(text, Regex.Escape(prefix) + @"/(?!\{token\})[^/?#\s""'<>]+",
                    prefix + "/" + TokenPlaceholder, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
            }
        }

        return text.Contains("sk_", StringComparison.Ordinal) ? SecretKey.Replace(text, "sk_…") : text;
    }

    private static object? ScrubValue(object? value, TracePrivacyOptions options) =>
        value is string text ? Scrub(text, options) : value is PathString path ? Scrub(path.ToString(), options) : value;

    private static Type? ImplementationOf(ServiceDescriptor descriptor) =>
        descriptor.IsKeyedService ? null
        : descriptor.ImplementationType ?? descriptor.ImplementationInstance?.GetType()
            ?? descriptor.ImplementationFactory?.GetType().GenericTypeArguments.LastOrDefault();

    /// <summary>Message, body and attributes of each record, before the exporters (it is added ahead of them).</summary>
    private sealed class ScrubbingProcessor(IOptions<TracePrivacyOptions> options) : BaseProcessor<LogRecord>
    {
        public override void OnEnd(LogRecord data)
        {
            var privacy = options.Value;
            if (data.FormattedMessage is { } message)
            {
                data.FormattedMessage = Scrub(message, privacy);
            }

            if (data.Body is { } body)
            {
                data.Body = Scrub(body, privacy);
            }

            if (data.Attributes is { Count: > 0 } attributes && attributes.Any(a => !ReferenceEquals(ScrubValue(a.Value, privacy), a.Value)))
            {
                data.Attributes = attributes.Select(a => new KeyValuePair<string, object?>(a.Key, ScrubValue(a.Value, privacy))).ToList();
            }
        }
    }

    /// <summary>The OpenTelemetry logger provider with a scope provider that scrubs each scope as it is read.</summary>
    [ProviderAlias("OpenTelemetry")]
    private sealed class ScrubbingLoggerProvider(ILoggerProvider inner, IOptions<TracePrivacyOptions> options) : ILoggerProvider, ISupportExternalScope
    {
        public ILogger CreateLogger(string categoryName) => inner.CreateLogger(categoryName);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) =>
            (inner as ISupportExternalScope)?.SetScopeProvider(new ScrubbingScopeProvider(scopeProvider, options));

        public void Dispose() => inner.Dispose();
    }

    private sealed class ScrubbingScopeProvider(IExternalScopeProvider inner, IOptions<TracePrivacyOptions> options) : IExternalScopeProvider
    {
        public IDisposable Push(object? state) => inner.Push(state);

        public void ForEachScope<TState>(Action<object?, TState> callback, TState state) =>
            inner.ForEachScope((scope, s) => callback(ScrubScope(scope, options.Value), s), state);

        private static object? ScrubScope(object? scope, TracePrivacyOptions options) => scope switch
        {
            string text => Scrub(text, options),
            // Most scopes hold nothing to scrub: they are passed on as they are, without a copy.
            IEnumerable<KeyValuePair<string, object?>> values when values.Any(v => !ReferenceEquals(ScrubValue(v.Value, options), v.Value)) => values
                .Select(v => new KeyValuePair<string, object?>(v.Key, ScrubValue(v.Value, options))).ToList(),
            IEnumerable<KeyValuePair<string, object?>> => scope,
            null => null,
            _ => Scrub(scope.ToString() ?? "", options),
        };
    }
}
