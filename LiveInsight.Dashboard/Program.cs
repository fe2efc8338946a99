using LiveInsight.Dashboard.Account;
using LiveInsight.Dashboard.Extensions;
using LiveInsight.Dashboard.Proxy;
using LiveInsight.Dashboard.Sharing;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDashboardServices();
builder.AddSharing();

var app = builder.Build();

app.UseForwardedHeaders();
app.UseDashboardProblems();
if (!app.Environment.IsDevelopment())
{
    app.UseHsts();
}

app.UseSecurityHeaders();
app.UseStaticFiles();
app.UseAuthentication();
app.UseAuthorization();
app.UseTwoFactorGate();
app.UseAntiforgery();

app.MapDefaultEndpoints();
app.MapAccountApi();
app.MapPasswordResetApi();
app.MapTwoFactorApi();
app.MapTokensApi();
app.MapSessionsApi();
app.MapMembersApi();
app.MapInviteApi();
app.MapAuditApi();
app.MapAppShell();
app.MapApiProxy();
app.MapApiReference();
app.MapSharing();

app.Run();
