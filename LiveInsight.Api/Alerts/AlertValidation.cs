using LiveInsight.Core.Alerts;

namespace LiveInsight.Api.Alerts;

/// <summary>Checks a rule or a report recipient as the owner submits it; every problem is reported, not just the first.</summary>
public static class AlertValidation
{
    public const int MaxVisitorsAbove = 10_000_000;
    public const long MaxThreshold = 1_000_000_000_000;
    public const double MaxSpikeFactor = 1000;

    public static Dictionary<string, string[]> Validate(AlertRuleRequest request, out AlertRule? rule, string siteId, string id, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        rule = null;
        if (request.Kind is null || !AlertKinds.All.Contains(request.Kind))
        {
            errors["kind"] = [$"One of {string.Join(", ", AlertKinds.All)}."];
            return errors;
        }

        var name = request.Name?.Trim() ?? "";
        if (name.Length > AlertLimits.MaxNameLength || !IsPlainText(name))
        {
            errors["name"] = [$"At most {AlertLimits.MaxNameLength} characters, without control characters."];
        }

        if (request.VisitorsAbove is { } visitors && (visitors < 0 || visitors > MaxVisitorsAbove || request.Kind != AlertKinds.Spike))
        {
            errors["visitors_above"] = [$"Spike rules only: 0 to {MaxVisitorsAbove:N0} current visitors."];
        }

        if (request.BaselineFactor is { } factor)
        {
            var ok = request.Kind switch
            {
                AlertKinds.Spike => factor > 1 && factor <= MaxSpikeFactor,
                AlertKinds.Drop => factor > 0 && factor < 1,
                _ => false,
            };
            if (!ok || !double.IsFinite(factor))
            {
                errors["baseline_factor"] = ["Spike rules: above 1 (3 = three times the usual hour); drop rules: between 0 and 1 (0.25 = a quarter of it)."];
            }
        }

        if (request.SilentMinutes is { } silent && (silent < 5 || silent > AlertLimits.MaxSilentMinutes || request.Kind != AlertKinds.Drop))
        {
            errors["silent_minutes"] = [$"Drop rules only: 5 to {AlertLimits.MaxSilentMinutes} minutes."];
        }

        if (request.Kind == AlertKinds.Goal)
        {
            if (request.Goal?.Trim() is not { Length: > 0 and <= AlertLimits.MaxGoalLength } goal || !IsPlainText(goal))
            {
                errors["goal"] = [$"The custom event's name (1 to {AlertLimits.MaxGoalLength} characters)."];
            }

            if (request.Threshold is not ({ } t and >= 0 and <= MaxThreshold))
            {
                errors["threshold"] = [$"A number of conversions from 0 to {MaxThreshold:N0}."];
            }

            if (request.Direction is not (null or "above" or "below"))
            {
                errors["direction"] = ["'above' or 'below'."];
            }

            if (request.WindowHours is { } window && (window < 1 || window > AlertLimits.MaxWindowHours))
            {
                errors["window_hours"] = [$"1 to {AlertLimits.MaxWindowHours} hours."];
            }
        }
        else if (request.Goal is not null || request.Threshold is not null || request.Direction is not null || request.WindowHours is not null)
        {
            errors["goal"] = ["goal, threshold, direction and window_hours belong to goal rules."];
        }

        if (request.QuietHours is { } quiet && (quiet.From is not (>= 0 and <= 23) || quiet.To is not (>= 0 and <= 23) || quiet.From == quiet.To))
        {
            errors["quiet_hours"] = ["{\"from\": 22, \"to\": 7}: two different hours 0–23 of the site's day (from inclusive, to exclusive)."];
        }

        var emails = (request.Emails ?? []).Select(e => e?.Trim() ?? "").ToList();
        if (emails.Count > AlertLimits.MaxEmailsPerRule || emails.Any(e => !IsEmail(e)))
        {
            errors["emails"] = [$"At most {AlertLimits.MaxEmailsPerRule} plain addresses (name@example.com)."];
        }

        var webhooks = request.Webhooks ?? [];
        if (webhooks.Count > AlertLimits.MaxWebhooksPerRule || webhooks.Any(w => w is null || !IsWebhookUrl(w.Url) || !(w.Format is null || WebhookFormats.All.Contains(w.Format))))
        {
            errors["webhooks"] = [$"At most {AlertLimits.MaxWebhooksPerRule} webhooks: an absolute http(s) URL of up to {AlertLimits.MaxUrlLength} characters, format one of {string.Join(", ", WebhookFormats.All)}."];
        }

        if (errors.Count > 0)
        {
            return errors;
        }

        rule = AlertDefaults.Apply(new AlertRule
        {
            Id = id,
            SiteId = siteId,
            Kind = request.Kind,
            Name = name,
            Enabled = request.Enabled ?? false,
            VisitorsAbove = request.VisitorsAbove,
            BaselineFactor = request.BaselineFactor,
            SilentMinutes = request.SilentMinutes,
            Goal = request.Goal?.Trim(),
            Direction = request.Direction,
            Threshold = request.Threshold,
            WindowHours = request.WindowHours,
            QuietHours = request.QuietHours is { } q ? new QuietHours(q.From!.Value, q.To!.Value) : null,
            Emails = emails.Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
            Webhooks = webhooks.Select(w => new Webhook(w.Url!, w.Format ?? WebhookFormats.Json)).ToList(),
            CreatedAt = now,
        });
        return errors;
    }

    public static Dictionary<string, string[]> Validate(ReportRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (!IsEmail(request.Email?.Trim() ?? ""))
        {
            errors["email"] = ["A plain address (name@example.com)."];
        }

        if (request.Frequency is null || !ReportFrequencies.All.Contains(request.Frequency))
        {
            errors["frequency"] = [$"One of {string.Join(", ", ReportFrequencies.All)}."];
        }

        if (request.Hour is { } hour && hour is < 0 or > 23)
        {
            errors["hour"] = ["An hour of the site's day, 0–23."];
        }

        return errors;
    }

    /// <summary>Ids are 16 lower-case hex characters; anything else is not looked up.</summary>
    public static bool IsWellFormedId(string id) => id.Length == 16 && id.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    public static string NewId() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

    public static bool IsEmail(string email) =>
        email.Length is > 2 and <= AlertLimits.MaxEmailLength && IsPlainText(email) && !email.Any(char.IsWhiteSpace)
        && System.Net.Mail.MailAddress.TryCreate(email, out var parsed) && parsed.Address == email && parsed.DisplayName.Length == 0;

    private static bool IsWebhookUrl(string? url) =>
        url is { Length: > 0 and <= AlertLimits.MaxUrlLength } && IsPlainText(url)
        && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.UserInfo.Length == 0;

    private static bool IsPlainText(string text) =>
        !text.Any(c => char.IsControl(c) || c is '\u200B' or '\u200E' or '\u200F' or '\u2028' or '\u2029' or '\uFEFF' || c is >= '\u202A' and <= '\u202E' || c is >= '\u2066' and <= '\u2069');
}
