using System.Net;
using LiveInsight.Dashboard.Tests.Infrastructure;
using LiveInsight.Dashboard.Users;

namespace LiveInsight.Dashboard.Tests.Security;

/// <summary>An e-mail address is an account key: one bare spelling of one address, never a display name or a comment.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class EmailAddressTests(DashboardFixture fixture)
{
    [Theory]
    [InlineData("admin@example.com", "admin@example.com")]
    [InlineData("  Admin@Example.COM ", "admin@example.com")]
    [InlineData("first.last+tag@sub.example.co.uk", "first.last+tag@sub.example.co.uk")]
    [InlineData("o'neil@example.com", "o'neil@example.com")]
    [InlineData("user@localhost", "user@localhost")]
    [InlineData("jos\u00e9@exampl\u00e9.com", "jos\u00e9@exampl\u00e9.com")]
    [InlineData("Eve <admin@example.com>", null)]
    [InlineData("<admin@example.com>", null)]
    [InlineData("\"Eve\" <admin@example.com>", null)]
    [InlineData("admin@example.com (Eve)", null)]
    [InlineData("\"a b\"@example.com", null)]
    [InlineData("a b@example.com", null)]
    [InlineData("a\t@example.com", null)]
    [InlineData("a\u0000b@example.com", null)]
    [InlineData("a\u200bb@example.com", null)]
    [InlineData("admin@example.com\nbcc@evil.example", null)]
    [InlineData("a@b@example.com", null)]
    [InlineData("@example.com", null)]
    [InlineData("admin@", null)]
    [InlineData("admin", null)]
    [InlineData(".admin@example.com", null)]
    [InlineData("ad..min@example.com", null)]
    [InlineData("admin@example..com", null)]
    [InlineData("admin@-example.com", null)]
    [InlineData("admin@[127.0.0.1]", null)]
    [InlineData("site-share#abc", null)]
    [InlineData("", null)]
    [InlineData("   ", null)]
    [InlineData(null, null)]
    public void Only_a_bare_address_is_an_account_key(string? text, string? normalised) =>
        Assert.Equal(normalised, EmailAddress.Normalise(text));

    [Fact]
    public void Addresses_longer_than_254_characters_or_with_a_local_part_over_64_are_refused()
    {
        Assert.Equal(254, EmailAddress.Normalise(new string('a', 64) + "@" + string.Join('.', Enumerable.Repeat(new string('b', 61), 3)) + ".ccc")?.Length);
        Assert.Null(EmailAddress.Normalise(new string('a', 64) + "@" + string.Join('.', Enumerable.Repeat(new string('b', 61), 3)) + ".cccc"));
        Assert.Null(EmailAddress.Normalise(new string('a', 65) + "@example.com"));
    }

    [Theory]
    [InlineData("Eve <{0}>")]
    [InlineData("{0} (Eve)")]
    [InlineData("\"Eve\" <{0}>")]
    public async Task An_address_with_a_display_name_is_refused_for_users_members_and_invites(string format)
    {
        var site = await fixture.CreateSiteAsync("Mail keys", "mail-keys.test");
        var email = string.Format(format, $"eve-{Guid.NewGuid():N}"[..12] + "@example.com");
        var (admin, csrf) = await fixture.SignInAsAdminAsync();
        using var client = admin;

        var user = await DashboardFixture.SendAsync(client, csrf, HttpMethod.Post, "/account/users",
            new { email, password = DashboardFixture.UserPassword, role = "member" });
        var member = await DashboardFixture.SendAsync(client, csrf, HttpMethod.Put,
            $"/account/sites/{site.SiteId}/members/{Uri.EscapeDataString(email)}", new { role = "viewer" });
        var invite = await DashboardFixture.SendAsync(client, csrf, HttpMethod.Post,
            $"/account/sites/{site.SiteId}/invites", new { email, role = "viewer" });

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest),
            (user.StatusCode, member.StatusCode, invite.StatusCode));
        Assert.Contains(EmailAddress.Problem, await user.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>DynamoDB refuses a key over 2 KB: an "e-mail" that long must never reach a lookup.</summary>
    [Fact]
    public async Task A_3_KB_email_is_a_wrong_sign_in_and_a_refused_member_removal_never_a_500()
    {
        var site = await fixture.CreateSiteAsync("Long keys", "long-keys.test");
        var email = new string('e', 3000) + "@example.com";
        using var visitor = fixture.NewHttpClient();
        var form = await visitor.GetStringAsync("/login");
        var (admin, csrf) = await fixture.SignInAsAdminAsync();
        using var client = admin;

        var login = await visitor.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = DashboardFixture.CsrfField(form), ["email"] = email, ["password"] = "a guessed password",
        }));
        var remove = await DashboardFixture.SendAsync(client, csrf, HttpMethod.Delete, $"/account/sites/{site.SiteId}/members/{Uri.EscapeDataString(email)}");

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.BadRequest), (login.StatusCode, remove.StatusCode));
        Assert.Contains(EmailAddress.Problem, await remove.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
